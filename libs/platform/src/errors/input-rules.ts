import { getMetadataStorage, ValidateBy, ValidateIf, ValidationError as ClassValidationError, ValidationTypes } from 'class-validator';
import type { FieldError } from './domain-errors';

/**
 * Rules every DTO gets from the validation pipe, so no field can forget them:
 * - JSON nesting is bounded (class-transformer recurses and overflows the stack otherwise);
 * - no string carries a C0 control character (PostgreSQL refuses NUL in text; the others, and
 *   bidi overrides, make names and titles display as something they are not: CVE-2021-42574);
 *   tab, line feed and carriage return are allowed only where a field says `@AllowLineBreaks()`;
 * - no string is ill-formed UTF-16 (a lone surrogate, which JSON can spell as "\ud800"): it has
 *   no UTF-8 form, and validator.js's checks (isEmail, isURL) throw on it instead of refusing it;
 * - `null` is refused unless the field says `@Nullable()` (or has a `@ValidateIf` that skips null).
 */

/** Deeper than any DTO needs (the deepest is three levels); far below what overflows the stack. */
export const MAX_JSON_DEPTH = 32;

const LINE_BREAKS = /[\t\n\r]/;
// C0 controls except tab, LF, CR; DEL; C1 controls; bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const ALLOW_LINE_BREAKS = 'allowLineBreaks';

/** Multi-line text (descriptions, rationales, reasons) and secrets: tab and line breaks are allowed. */
export function AllowLineBreaks(): PropertyDecorator {
  // A validator that always passes, so the mark is copied by PartialType/OmitType with the others.
  return ValidateBy({ name: ALLOW_LINE_BREAKS, validator: { validate: () => true } });
}

/** `null` is a value this field accepts (it clears it); absent still means "leave alone". */
export function Nullable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== null && value !== undefined);
}

/** How deeply `value` nests arrays and objects (a scalar is 0), counting no further than `limit + 1`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push([child, level]);
  }
  return deepest;
}

/** Whether any string in `value` (keys included) is ill-formed UTF-16; `value` nests at most {@link MAX_JSON_DEPTH} deep by now. */
export function hasIllFormedText(value: unknown): boolean {
  if (typeof value === 'string') return !value.isWellFormed();
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => !key.isWellFormed() || hasIllFormedText(child));
}

/** Why `text` is not acceptable in a field, or undefined if it is. */
export function textProblem(field: string, text: string, allowLineBreaks: boolean): string | undefined {
  if (!text.isWellFormed()) return `${field} must be well-formed Unicode text (it has a lone surrogate)`;
  if (FORBIDDEN_CHARACTERS.test(text)) return `${field} must not contain control or bidirectional formatting characters`;
  if (!allowLineBreaks && LINE_BREAKS.test(text)) return `${field} must be a single line without tabs or line breaks`;
  return undefined;
}

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

interface PropertyRules {
  readonly allowLineBreaks: boolean;
  readonly nullable: boolean;
  /** @ValidateNested alone passes when the field is absent; with nothing making it optional, it is required. */
  readonly requiredNested: boolean;
}

const rulesCache = new WeakMap<Function, Map<string, PropertyRules>>();

function rulesFor(target: Function): Map<string, PropertyRules> {
  let rules = rulesCache.get(target);
  if (rules) return rules;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const meta of metadata) byProperty.set(meta.propertyName, [...(byProperty.get(meta.propertyName) ?? []), meta]);
  rules = new Map();
  for (const [property, metas] of byProperty) {
    const allowLineBreaks = metas.some((meta) => meta.name === ALLOW_LINE_BREAKS);
    // @IsOptional skips null too, but means "may be absent", not "may be cleared".
    const nullable = metas.some((meta) => meta.type === ValidationTypes.CONDITIONAL_VALIDATION && meta.name !== 'isOptional' && skipsNull(meta, property));
    const conditional = metas.some((meta) => meta.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const requiredNested = !conditional && metas.some((meta) => meta.type === ValidationTypes.NESTED_VALIDATION);
    rules.set(property, { allowLineBreaks, nullable, requiredNested });
  }
  rulesCache.set(target, rules);
  return rules;
}

function skipsNull(meta: ValidationMetadata, property: string): boolean {
  try {
    const condition = meta.constraints[0] as (object: object, value: unknown) => boolean;
    return condition({ [property]: null }, null) === false;
  } catch {
    return false;
  }
}

function classOf(value: object): Function | undefined {
  const ctor = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor !== Object && ctor !== Array ? ctor : undefined;
}

/**
 * The rules above, applied to a DTO instance after class-transformer (so `@Trim()` has run) and
 * reported like class-validator's own failures, with the field's path.
 */
export function inputRuleErrors(instance: object): ClassValidationError[] {
  const target = classOf(instance);
  const rules = target ? rulesFor(target) : new Map<string, PropertyRules>();
  const errors: ClassValidationError[] = [];
  for (const [property, value] of Object.entries(instance)) {
    // The validation pipe may set `constructor` on the instance it validates.
    if (property === 'constructor') continue;
    const rule = rules.get(property);
    const error = Object.assign(new ClassValidationError(), { property, value, children: [] as ClassValidationError[] });
    const constraints = valueErrors(property, value, rule, error.children!);
    if (constraints) error.constraints = constraints;
    if (constraints || error.children!.length) errors.push(error);
  }
  for (const [property, rule] of rules) {
    if (rule.requiredNested && (instance as Record<string, unknown>)[property] === undefined) {
      errors.push(Object.assign(new ClassValidationError(), { property, value: undefined, constraints: { isDefined: `${property} is required` }, children: [] }));
    }
  }
  return errors;
}

function valueErrors(property: string, value: unknown, rule: PropertyRules | undefined, children: ClassValidationError[]): Record<string, string> | undefined {
  if (value === null) return rule?.nullable ? undefined : { isNotNull: `${property} must not be null` };
  if (typeof value === 'string') {
    const problem = textProblem(property, value, rule?.allowLineBreaks ?? false);
    return problem ? { isPlainText: problem } : undefined;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const error = Object.assign(new ClassValidationError(), { property: String(index), value: item, children: [] as ClassValidationError[] });
      // Items are checked for text and nesting; a null item is for the field's own validators.
      const constraints = item === null ? undefined : valueErrors(`${property}.${index}`, item, rule, error.children!);
      if (constraints) error.constraints = constraints;
      if (constraints || error.children!.length) children.push(error);
    });
    return undefined;
  }
  if (value !== undefined && typeof value === 'object' && !(value instanceof Date)) children.push(...inputRuleErrors(value));
  return undefined;
}

/** Field errors for a primitive parameter (a path segment or a single query value). */
export function primitiveInputErrors(field: string, value: unknown): FieldError[] {
  if (typeof value !== 'string') return [];
  const problem = textProblem(field, value, false);
  return problem ? [{ field, message: problem }] : [];
}
