/** One error of a form, as the design system's error summary lists it: the message and a link to the field. */
export interface ErrorLink {
  readonly text: string;
  readonly href: string;
}

/**
 * The errors of a submitted form: the summary's list (in the order of the fields) and each
 * field's inline message, so both say the same thing (NHS design system, "Error summary").
 */
export class FormErrors {
  private readonly byField = new Map<string, string>();
  private readonly links: ErrorLink[] = [];

  /** `field` is the form control's id; the first message for a field wins. */
  add(field: string, message: string): this {
    if (this.byField.has(field)) return this;
    this.byField.set(field, message);
    this.links.push({ text: message, href: `#${field}` });
    return this;
  }

  get any(): boolean {
    return this.links.length > 0;
  }

  /** What the templates read: `errorList` for the summary, `fields.<id>` for the inline message. */
  toView(): { errorList: ErrorLink[]; fields: Record<string, { text: string }> } {
    return { errorList: [...this.links], fields: Object.fromEntries([...this.byField].map(([field, text]) => [field, { text }])) };
  }
}

/** A form field as posted: a trimmed string, or empty when absent or not a string (a repeated field, say). */
export function field(body: unknown, name: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim() : '';
}

/** The same rule as the API's: something@something.something, no spaces. */
export function looksLikeEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}
