import { PartialType } from '@nestjs/mapped-types';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, ValidateIf, ValidateNested } from 'class-validator';
import { InvalidInputError } from './domain-errors';
import { AllowLineBreaks, jsonDepth, MAX_JSON_DEPTH, Nullable, textProblem } from './input-rules';
import { InputValidationPipe } from './input-validation.pipe';

class GridDto {
  @IsOptional()
  @IsIn(['low', 'high'])
  band?: string;
}

class CreateThingDto {
  @IsString()
  name!: string;

  @AllowLineBreaks()
  @IsOptional()
  @IsString()
  notes?: string;

  @Nullable()
  @IsString()
  jobTitle?: string | null;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsInt()
  wave?: number | null;

  @ValidateNested()
  @Type(() => GridDto)
  grid!: GridDto;
}

class UpdateThingDto extends PartialType(CreateThingDto) {}

class ContactDto {
  @IsEmail()
  email!: string;

  @IsOptional()
  @IsUrl()
  homepage?: string;
}

async function fieldErrors(dto: Function, body: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await new InputValidationPipe().transform(body, { type: 'body', metatype: dto as new () => object, data: undefined });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return [...(error.errors ?? [])];
  }
}

describe('input rules', () => {
  it('measures nesting without recursion, stopping once past the limit', () => {
    expect(jsonDepth('text')).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
  });

  it.each([
    ['\u0000', false],
    ['\u001b', false],
    ['\u007f', false],
    ['\u0085', false],
    ['\u202a', false],
    ['\u202e', false],
    ['\u2066', false],
    ['\u2069', false],
    ['\n', true],
    ['\t', true],
    ['\r', true],
  ])('refuses %j in a single-line field; allowed in multi-line text: %s', (character, multiLineOk) => {
    expect(textProblem('name', `a${character}b`, false)).toEqual(expect.any(String));
    expect(textProblem('notes', `a${character}b`, true) === undefined).toBe(multiLineOk);
  });

  it('accepts ordinary text, accents and emoji', () => {
    expect(textProblem('name', 'Siân O’Neill-Ngữ 😀', false)).toBeUndefined();
  });

  it('reports a control character per field, with nested paths', async () => {
    expect(await fieldErrors(CreateThingDto, { name: 'a\u0000', grid: { band: 'low' }, notes: 'one\ntwo' })).toEqual([{ field: 'name', message: 'name must not contain control or bidirectional formatting characters' }]);
    expect(await fieldErrors(CreateThingDto, { name: 'a', grid: { band: 'x\u202e' } })).toEqual([{ field: 'grid.band', message: expect.any(String) }]);
  });

  it('refuses null unless the field is nullable, also after PartialType', async () => {
    expect(await fieldErrors(UpdateThingDto, { name: null })).toEqual([{ field: 'name', message: 'name must not be null' }]);
    expect(await fieldErrors(UpdateThingDto, { notes: null })).toEqual([{ field: 'notes', message: 'notes must not be null' }]);
    expect(await fieldErrors(UpdateThingDto, { jobTitle: null, wave: null })).toEqual([]);
    expect(await fieldErrors(UpdateThingDto, { notes: 'line one\nline two' })).toEqual([]);
  });

  it('requires a nested object that nothing makes optional, but not after PartialType', async () => {
    expect(await fieldErrors(CreateThingDto, { name: 'a' })).toEqual([{ field: 'grid', message: 'grid is required' }]);
    expect(await fieldErrors(UpdateThingDto, {})).toEqual([]);
  });

  it('refuses deep nesting before class-transformer sees it', async () => {
    expect(await fieldErrors(CreateThingDto, JSON.parse('{"name":"a","grid":' + '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000) + '}'))).toEqual([
      { field: 'body', message: `body must not nest deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  });

  it('refuses a lone surrogate (JSON "\\ud800") as a field error, where validator.js would throw', async () => {
    expect(textProblem('name', 'a\ud800b', false)).toEqual(expect.stringContaining('well-formed'));
    expect(textProblem('name', 'a\udfffb', true)).toEqual(expect.stringContaining('well-formed'));
    expect(await fieldErrors(ContactDto, JSON.parse('{"email":"\\ud800a@nhs.example"}'))).toEqual([{ field: 'email', message: expect.stringContaining('well-formed') }]);
    expect(await fieldErrors(ContactDto, JSON.parse('{"email":"a@nhs.example","homepage":"https://x.example/\\udc00"}'))).toEqual([{ field: 'homepage', message: expect.stringContaining('well-formed') }]);
    expect(await fieldErrors(ContactDto, { email: 'a@nhs.example' })).toEqual([]);
  });
});
