import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from './domain-errors';
import { validationExceptionFactory } from './validation-exception.factory';

/**
 * The API's one validation pipe: unknown fields are rejected, input is transformed into DTO
 * instances, and every failure becomes a problem+json 400 listing each field.
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
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      // No body at all is an empty object, so required fields are reported one by one.
      if (value === undefined || value === null) return super.transform({}, metadata);
      throw new InvalidInputError('The request body must be a JSON object.', [{ field: 'body', message: 'body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}
