import type { ValidationError as ClassValidationError } from 'class-validator';
import { FieldError, InvalidInputError } from './domain-errors';

/**
 * Which failed constraint explains a field best, most fundamental first: a value of the wrong type
 * is reported as such, not as "too long".
 */
const CONSTRAINT_PRIORITY = ['whitelistValidation', 'isDefined', 'isNotNull', 'equals', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isDate', 'isArray', 'isObject', 'isEmail', 'isUuid', 'isIn', 'isEnum', 'matches', 'isNotEmpty', 'arrayNotEmpty'];

function rank(constraint: string): number {
  const index = CONSTRAINT_PRIORITY.indexOf(constraint);
  return index === -1 ? CONSTRAINT_PRIORITY.length : index;
}

/** Flattens class-validator's tree into one `{ field, message }` per invalid field, with dotted paths. */
export function flattenValidationErrors(errors: readonly ClassValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    const own: FieldError[] = [];
    if (constraints.length) {
      const [key, message] = constraints.sort(([a], [b]) => rank(a) - rank(b))[0]!;
      if (key === 'whitelistValidation') own.push({ field, message: `${field} is not a recognised field` });
      else if (error.value === undefined && 'value' in error) own.push({ field, message: `${field} is required` });
      else own.push({ field, message });
    }
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationExceptionFactory(errors: ClassValidationError[]): InvalidInputError {
  // class-validator reports a body that is not an object (an array, a string) with no property.
  if (errors.some((error) => !error.property)) {
    return new InvalidInputError('The request body must be a JSON object.', [{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const fieldErrors = flattenValidationErrors(errors);
  const fields = fieldErrors.map((e) => e.field);
  return new InvalidInputError(`The request has ${fields.length === 1 ? 'an invalid field' : 'invalid fields'}: ${fields.join(', ')}.`, fieldErrors);
}
