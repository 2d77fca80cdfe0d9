import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError as ClassValidationError, ValidatorOptions } from 'class-validator';
import { InvalidInputError } from './domain-errors';
import { hasIllFormedText, inputRuleErrors, jsonDepth, MAX_JSON_DEPTH, primitiveInputErrors } from './input-rules';
import { validationExceptionFactory } from './validation-exception.factory';

/**
 * The API's one validation pipe: unknown fields are rejected, input is transformed into DTO
 * instances, and every failure becomes a problem+json 400 listing each field. Every DTO also gets
 * the rules in input-rules.ts (nesting depth, control characters, null only where nullable).
 */
@Injectable()
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // `value` is kept so a missing field can be told from a wrong one; it never reaches the response.
      validationError: { target: false, value: true },
      exceptionFactory: validationExceptionFactory,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Checked before class-transformer, which recurses and would overflow the stack.
    if (jsonDepth(value) > MAX_JSON_DEPTH) {
      throw new InvalidInputError(`The ${metadata.type} nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: metadata.data ?? metadata.type, message: `${metadata.type} must not nest deeper than ${MAX_JSON_DEPTH} levels` }]);
    }
    const primitiveErrors = primitiveInputErrors(metadata.data ?? metadata.type, value);
    if (primitiveErrors.length) throw new InvalidInputError(`The request has an invalid field: ${primitiveErrors[0]!.field}.`, primitiveErrors);
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      // No body at all is an empty object, so required fields are reported one by one.
      if (value === undefined || value === null) return super.transform({}, metadata);
      throw new InvalidInputError('The request body must be a JSON object.', [{ field: 'body', message: 'body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ClassValidationError[]> {
    const ruleErrors = inputRuleErrors(object);
    // validator.js (behind @IsEmail, @IsUrl…) throws on a lone surrogate rather than refusing it:
    // such input gets the input rules' answer alone.
    if (hasIllFormedText(object)) return ruleErrors;
    const errors = await super.validate(object, validatorOptions);
    return mergeErrors(errors, ruleErrors);
  }
}

/** class-validator's errors with the input rules' added, one error per property. */
function mergeErrors(errors: ClassValidationError[], more: ClassValidationError[]): ClassValidationError[] {
  const merged = [...errors];
  for (const extra of more) {
    const same = merged.find((error) => error.property === extra.property);
    if (!same) {
      merged.push(extra);
      continue;
    }
    if (extra.constraints) same.constraints = { ...extra.constraints, ...same.constraints };
    if (extra.children?.length) same.children = mergeErrors(same.children ?? [], extra.children);
  }
  return merged;
}
