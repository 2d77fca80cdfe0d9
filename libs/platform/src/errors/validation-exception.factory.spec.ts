import { Type } from 'class-transformer';
import { ArrayMinSize, IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, Min, ValidateNested, ValidationError } from 'class-validator';
import { InvalidInputError } from './domain-errors';
import { InputValidationPipe } from './input-validation.pipe';
import { flattenValidationErrors, validationExceptionFactory } from './validation-exception.factory';

class NomineeDto {
  @IsEmail()
  email!: string;

  @IsString()
  @IsNotEmpty()
  givenName!: string;
}

class SessionDto {
  @IsString()
  @IsNotEmpty()
  title!: string;
}

class NominationDto {
  @ValidateNested()
  @Type(() => NomineeDto)
  nominee!: NomineeDto;

  @IsOptional()
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @Type(() => SessionDto)
  sessions?: SessionDto[];

  @IsInt()
  @Min(1)
  readiness!: number;
}

class OptionalOnlyDto {
  @IsOptional()
  @IsString()
  note?: string;
}

/** The pipe the API uses (apps/api/src/api.app.ts). */
const pipe = new InputValidationPipe();

async function rejection(metatype: Function, body: unknown): Promise<InvalidInputError> {
  try {
    await pipe.transform(body, { type: 'body', metatype: metatype as never, data: undefined });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`the pipe accepted ${JSON.stringify(body)}`);
}

const valid = { nominee: { email: 'grace@nhs.example', givenName: 'Grace' }, readiness: 2 };

describe('validationExceptionFactory', () => {
  it('accepts a valid body (so the rejections below are about the fields they name)', async () => {
    await expect(pipe.transform(valid, { type: 'body', metatype: NominationDto, data: undefined })).resolves.toBeInstanceOf(NominationDto);
  });

  it('names a nested field by its dotted path', async () => {
    const error = await rejection(NominationDto, { ...valid, nominee: { email: 'not-an-email', givenName: 'Grace' } });

    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ field: 'nominee.email', message: 'email must be an email' }]);
    expect(error.message).toBe('The request has an invalid field: nominee.email.');
  });

  it('names an item of a nested list by its index', async () => {
    const error = await rejection(NominationDto, { ...valid, sessions: [{ title: 'Launch' }, { title: '' }] });

    expect(error.errors).toEqual([{ field: 'sessions.1.title', message: 'title should not be empty' }]);
  });

  it('lists every invalid field, each once, in the detail', async () => {
    const error = await rejection(NominationDto, { nominee: { email: 'x', givenName: '' }, readiness: 0 });

    expect(error.errors!.map((e) => e.field).sort()).toEqual(['nominee.email', 'nominee.givenName', 'readiness']);
    expect(error.message).toMatch(/^The request has invalid fields: /);
    for (const field of ['nominee.email', 'nominee.givenName', 'readiness']) expect(error.message).toContain(field);
  });

  it('says an unknown property is not a recognised field', async () => {
    const error = await rejection(NominationDto, { ...valid, isAdmin: true });

    expect(error.errors).toEqual([{ field: 'isAdmin', message: 'isAdmin is not a recognised field' }]);
  });

  it('says an unknown nested property is not a recognised field, by its full path', async () => {
    const error = await rejection(NominationDto, { ...valid, nominee: { ...valid.nominee, roles: ['admin'] } });

    expect(error.errors).toEqual([{ field: 'nominee.roles', message: 'nominee.roles is not a recognised field' }]);
  });

  it.each([
    ['an array', [valid]],
    ['a string', 'grace@nhs.example'],
    ['a number', 42],
  ])('rejects %s as the body with the single field "body"', async (_kind, body) => {
    const error = await rejection(NominationDto, body);

    expect(error.errors).toEqual([{ field: 'body', message: 'body must be a JSON object' }]);
    expect(error.message).toBe('The request body must be a JSON object.');
  });

  it.each([
    ['an array', ['note']],
    ['a string', 'note'],
  ])('rejects %s as the body with the single field "body" even when every field is optional', async (_kind, body) => {
    const error = await rejection(OptionalOnlyDto, body);

    expect(error.errors).toEqual([{ field: 'body', message: 'body must be a JSON object' }]);
  });

  it('reports class-validator errors without a property as a body that is not an object', () => {
    const unknownValue = Object.assign(new ValidationError(), { property: undefined as unknown as string, constraints: { unknownValue: 'an unknown value was passed to the validate function' }, children: [] });

    const error = validationExceptionFactory([unknownValue]);

    expect(error.errors).toEqual([{ field: 'body', message: 'body must be a JSON object' }]);
  });
});

describe('flattenValidationErrors', () => {
  it('flattens a tree into one entry per invalid field, with dotted paths and the most fundamental message', () => {
    const tree = [
      Object.assign(new ValidationError(), {
        property: 'nominee',
        children: [
          Object.assign(new ValidationError(), { property: 'email', constraints: { isEmail: 'email must be an email', isNotEmpty: 'email should not be empty' }, children: [] }),
          Object.assign(new ValidationError(), { property: 'address', children: [Object.assign(new ValidationError(), { property: 'postcode', constraints: { isPostalCode: 'postcode must be a postal code' }, children: [] })] }),
        ],
      }),
    ];

    expect(flattenValidationErrors(tree)).toEqual([
      { field: 'nominee.email', message: 'email must be an email' },
      { field: 'nominee.address.postcode', message: 'postcode must be a postal code' },
    ]);
  });

  it('says a missing field is required rather than quoting a length or format rule', () => {
    const missing = Object.assign(new ValidationError(), { property: 'email', value: undefined, constraints: { maxLength: 'email must be shorter than or equal to 254 characters', isEmail: 'email must be an email address' }, children: [] });

    expect(flattenValidationErrors([missing])).toEqual([{ field: 'email', message: 'email is required' }]);
  });
});
