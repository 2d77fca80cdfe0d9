import type { ValidationError as ClassValidationError } from 'class-validator';
import { FieldError, InvalidInputError } from './domain-errors';

/** Flattens class-validator's tree into one `{ field, message }` per failed constraint, with dotted paths. */
export function flattenValidationErrors(errors: readonly ClassValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: humanise(message, error.property, field) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function humanise(message: string, property: string, field: string): string {
  if (message === `property ${property} should not exist`) return `${field} is not a recognised field`;
  return message;
}

export function validationExceptionFactory(errors: ClassValidationError[]): InvalidInputError {
  // class-validator reports a body that is not an object (an array, a string) with no property.
  if (errors.some((error) => !error.property)) {
    return new InvalidInputError('The request body must be a JSON object.', [{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const fieldErrors = flattenValidationErrors(errors);
  const fields = [...new Set(fieldErrors.map((e) => e.field))];
  return new InvalidInputError(`The request has ${fieldErrors.length === 1 ? 'an invalid field' : 'invalid fields'}: ${fields.join(', ')}.`, fieldErrors);
}
