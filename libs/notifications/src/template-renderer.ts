import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

/** `templates/` beside `src/`: libs/notifications in tests, dist/libs/notifications once built. */
export const DEFAULT_TEMPLATES_DIR = path.join(__dirname, '..', 'templates');

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

/** A template could not render the data it was given; `field` names the missing variable, when that was the cause. */
export class TemplateRenderError extends Error {
  constructor(
    readonly kind: string,
    readonly template: string,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

type Hbs = typeof Handlebars;
type Template = Handlebars.TemplateDelegate;

/** What a kind's template hands to the layout besides its body, through `{{#footer}}` and `{{#preheader}}`. */
interface Slots {
  footer?: string;
  preheader?: string;
}

/** Public members of a Handlebars environment that its type declarations leave out. */
interface CompilerPipeline {
  Compiler: new () => { compile(ast: unknown, options: CompileOptions): unknown };
  JavaScriptCompiler: new () => { compile(environment: unknown, options: CompileOptions, context: undefined, asObject: true): unknown };
}
/** `trackIds` is a compile option the type declarations leave out: it tells helpers their arguments' paths. */
type CompileOptions = NonNullable<Parameters<Hbs['compile']>[1]> & { trackIds?: boolean };

const KIND_FILE = /^([a-z][a-z0-9_]*)\.(subject|html|text)\.hbs$/;
const LAYOUT = 'layout';

/** Session fields a change email shows, in this order, with the label a reader sees. */
const CHANGE_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  kind: 'Type of session',
  startsAtLondon: 'Starts',
  endsAtLondon: 'Ends',
  location: 'Location',
  onlineUrl: 'Online joining link',
};

const SESSION_KIND_LABELS: Readonly<Record<string, string>> = {
  workshop: 'Workshop',
  action_learning_set: 'Action learning set',
  masterclass: 'Masterclass',
  coaching: 'Coaching',
  residential: 'Residential',
};

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
/**
 * Inline styles for the bare tags HTML templates use. Several clients drop or ignore `<style>`
 * (Gmail apps with non-Google accounts, older Outlooks), so each tag carries its own, added once
 * at load; the templates stay readable.
 */
const BARE_TAG_STYLES: Readonly<Record<string, string>> = {
  '<h1>': `<h1 style="margin:0 0 24px;${FONT}font-size:28px;line-height:34px;font-weight:bold;color:#212B32;">`,
  '<h2>': `<h2 style="margin:32px 0 16px;${FONT}font-size:22px;line-height:28px;font-weight:bold;color:#212B32;">`,
  // Long links and tokens wrap instead of widening the email on a phone.
  '<p>': `<p style="margin:0 0 16px;${FONT}font-size:16px;line-height:24px;color:#212B32;overflow-wrap:break-word;word-break:break-word;">`,
  '<ul>': `<ul style="margin:0 0 16px;padding:0 0 0 24px;${FONT}font-size:16px;line-height:24px;color:#212B32;">`,
  '<li>': `<li style="margin:0 0 8px;overflow-wrap:break-word;word-break:break-word;">`,
  '<a href=': `<a style="color:#005EB8;text-decoration:underline;" href=`,
};

/**
 * Renders outbox rows into emails. One isolated Handlebars environment; every template is read
 * and compiled once, when the renderer is built. Templates run in strict mode, so a variable the
 * data lacks throws instead of rendering blank. HTML templates escape; subject and text templates
 * do not (they are not HTML, and `&amp;` in a subject line is a bug). Each email is its kind's
 * `<kind>.subject.hbs`, `<kind>.html.hbs` and `<kind>.text.hbs`, the last two wrapped in
 * `layout.html.hbs` and `layout.text.hbs`; `partials/html/*`, `partials/text/*` and shared
 * wording in `partials/*` are available as `{{> html/name}}` and `{{> text/name}}`. A kind's
 * HTML and text must each say why the person got the email in `{{#footer}}…{{/footer}}`, and may
 * set the inbox preview line in `{{#preheader}}…{{/preheader}}`. Helper names (`eq`, `plural`, …)
 * win over data fields of the same name, so data should not use them.
 */
export class TemplateRenderer {
  private constructor(
    private readonly hbs: Hbs,
    private readonly templates: ReadonlyMap<string, Readonly<Partial<Record<TemplatePart, Template>>>>,
    private readonly layouts: Readonly<Record<'html' | 'text', Template>>,
  ) {}

  static fromDirectory(dir = DEFAULT_TEMPLATES_DIR): TemplateRenderer {
    const hbs = Handlebars.create();
    // Only registered (and built-in) helpers are allowed, so a misspelt one fails here, at start.
    const knownHelpers = Object.fromEntries(registerHelpers(hbs).map((name) => [name, true]));
    const options = {
      html: { strict: true, noEscape: false, knownHelpers, knownHelpersOnly: true, trackIds: true },
      text: { strict: true, noEscape: true, knownHelpers, knownHelpersOnly: true, trackIds: true },
    } satisfies Record<string, CompileOptions>;
    const compile = (file: string, format: 'html' | 'text'): Template => {
      const source = readFileSync(file, 'utf8');
      try {
        return compileNow(hbs, format === 'html' ? inlineStyles(source) : source, options[format]);
      } catch (error) {
        throw new Error(`Email template ${path.relative(dir, file)} does not compile: ${(error as Error).message}`, { cause: error });
      }
    };

    // Partials are registered compiled: a partial registered as source would be compiled on first
    // use with the options of whichever template called it first, escaping or not.
    const partialsDir = path.join(dir, 'partials');
    for (const entry of readdirSync(partialsDir, { withFileTypes: true })) {
      const file = path.join(partialsDir, entry.name);
      if (entry.isDirectory() && (entry.name === 'html' || entry.name === 'text')) {
        for (const name of readdirSync(file).filter((n) => n.endsWith('.hbs'))) {
          hbs.registerPartial(`${entry.name}/${name.slice(0, -4)}`, compile(path.join(file, name), entry.name));
        }
      } else if (entry.isFile() && entry.name.endsWith('.hbs')) {
        // Wording shared by both formats: escaped in HTML, as it is in text.
        const name = entry.name.slice(0, -4);
        hbs.registerPartial(`html/${name}`, compile(file, 'html'));
        hbs.registerPartial(`text/${name}`, compile(file, 'text'));
      } else {
        throw new Error(`Unexpected entry in ${partialsDir}: ${entry.name}`);
      }
    }

    const templates = new Map<string, Partial<Record<TemplatePart, Template>>>();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith(`${LAYOUT}.`)) continue;
      const match = KIND_FILE.exec(entry.name);
      if (!match) throw new Error(`Unexpected file in ${dir}: ${entry.name} (expected <kind>.subject.hbs, <kind>.html.hbs or <kind>.text.hbs)`);
      const [, kind, part] = match as unknown as [string, string, TemplatePart];
      const parts = templates.get(kind) ?? {};
      parts[part] = compile(path.join(dir, entry.name), part === 'html' ? 'html' : 'text');
      templates.set(kind, parts);
    }

    const layouts = {
      html: compile(path.join(dir, `${LAYOUT}.html.hbs`), 'html'),
      text: compile(path.join(dir, `${LAYOUT}.text.hbs`), 'text'),
    };
    return new TemplateRenderer(hbs, templates, layouts);
  }

  /** The kinds that have all three templates. */
  kinds(): string[] {
    return [...this.templates].filter(([, parts]) => TEMPLATE_PARTS.every((part) => parts[part])).map(([kind]) => kind).sort();
  }

  /** Throws, naming every kind of `kinds` that lacks any of its templates (the worker checks this at start). */
  assertCovers(kinds: readonly string[]): void {
    const gaps = [...new Set(kinds)].flatMap((kind) => {
      const missing = TEMPLATE_PARTS.filter((part) => !this.templates.get(kind)?.[part]).map((part) => `${kind}.${part}.hbs`);
      return missing.length ? [`${kind} (missing ${missing.join(', ')})`] : [];
    });
    if (gaps.length) throw new Error(`Email templates are missing for ${gaps.length} kind(s): ${gaps.join('; ')}`);
  }

  render(kind: string, data: Record<string, unknown>): RenderedEmail {
    const parts = this.templates.get(kind);
    if (!parts?.subject || !parts.html || !parts.text) throw new Error(`There are no email templates for the kind "${kind}"`);

    const subject = this.run(kind, 'subject', parts.subject, data, {}).replace(/\s+/g, ' ').trim();
    const htmlSlots: Slots = {};
    const htmlBody = this.run(kind, 'html', parts.html, data, htmlSlots);
    const textSlots: Slots = {};
    const textBody = this.run(kind, 'text', parts.text, data, textSlots);
    if (!htmlSlots.footer?.trim() || !textSlots.footer?.trim()) {
      throw new TemplateRenderError(kind, `${kind}.${htmlSlots.footer?.trim() ? 'text' : 'html'}.hbs`, null, `Email "${kind}" does not say why the person got it: wrap that in {{#footer}}…{{/footer}}`);
    }

    // Reminders carry these (added when sent); other emails have neither.
    const links = { unsubscribeUrl: stringOrNull(data.unsubscribeUrl), preferencesUrl: stringOrNull(data.preferencesUrl) };
    // Bodies and footers are output of escaping templates, so they go into the layout as they are.
    const html = this.layouts.html({
      subject,
      preheaderContent: htmlSlots.preheader?.trim() ? new this.hbs.SafeString(htmlSlots.preheader.trim()) : null,
      body: new this.hbs.SafeString(htmlBody),
      footerContent: new this.hbs.SafeString(htmlSlots.footer.trim()),
      ...links,
    });
    const text = this.layouts.text({ subject, body: textBody.trim(), footerContent: textSlots.footer.trim(), ...links });
    return { subject, html, text: tidyText(text) };
  }

  private run(kind: string, part: TemplatePart, template: Template, data: Record<string, unknown>, slots: Slots): string {
    try {
      return template(data, { data: { slots } });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const missing = /^"([^"]+)" not defined in/.exec(message);
      const at = (error as Handlebars.Exception).lineNumber ? ` (line ${(error as Handlebars.Exception).lineNumber}, column ${(error as Handlebars.Exception).column})` : '';
      const template = `${kind}.${part}.hbs`;
      throw new TemplateRenderError(
        kind,
        template,
        missing ? missing[1]! : null,
        missing ? `Email "${kind}" cannot render ${template}: its data has no "${missing[1]}"${at}` : `Email "${kind}" cannot render ${template}: ${message}`,
      );
    }
  }
}

/**
 * `Handlebars.compile` defers compiling to the first render. This runs the same pipeline now, so
 * a broken template (or an unknown helper) stops the worker at start rather than failing a send.
 */
function compileNow(hbs: Hbs, source: string, options: CompileOptions): Template {
  const settings: CompileOptions = { data: true, ...options };
  const pipeline = hbs as unknown as CompilerPipeline;
  const environment = new pipeline.Compiler().compile(hbs.parse(source), settings);
  const spec = new pipeline.JavaScriptCompiler().compile(environment, settings, undefined, true);
  return hbs.template(spec as Parameters<Hbs['template']>[0]);
}

function inlineStyles(source: string): string {
  return Object.entries(BARE_TAG_STYLES).reduce((html, [tag, styled]) => html.replaceAll(tag, styled), source);
}

/** Registers the helpers and returns their names. */
function registerHelpers(hbs: Hbs): string[] {
  const slot = (name: keyof Slots) =>
    function (this: unknown, options: Handlebars.HelperOptions): string {
      (options.data.slots as Slots)[name] = options.fn(this);
      return '';
    };
  const helpers: Record<string, Handlebars.HelperDelegate> = {
    eq: strictArguments((a: unknown, b: unknown) => a === b),
    /** `{{plural 3 "application" "applications"}}` → "3 applications"; 0 → "no applications". */
    plural: strictArguments((count: number, one: string, many: string) => `${count === 0 ? 'no' : count} ${count === 1 ? one : many}`),
    sessionKind: strictArguments((kind: string) => sessionKindLabel(kind)),
    /** The reader's label for a changed session field; '' for fields a reader does not see (ISO times). */
    changeLabel: strictArguments((field: string) => CHANGE_LABELS[field] ?? ''),
    changeValue: strictArguments((field: string, value: unknown) => (value === null || value === '' ? 'Not set' : field === 'kind' ? sessionKindLabel(String(value)) : String(value))),
    /** "Tuesday 1 December 2026, 9:30am to 4:30pm", or both in full when the days differ. */
    timeRange: strictArguments((start: string, end: string) => {
      const [startDay, startTime] = splitLondon(start);
      const [endDay, endTime] = splitLondon(end);
      return startTime && endTime && startDay === endDay ? `${start} to ${endTime}` : `${start} to ${end}`;
    }),
    /** "Monday 11 January 2027, 9:00am" → "Monday 11 January 2027" (cohorts run over days, not hours). */
    dateOnly: strictArguments((value: string) => splitLondon(value)[0]),
    /** Escapes, then keeps the writer's line breaks (rationales, reasons). */
    multiline: strictArguments(
      (value: unknown) =>
        new hbs.SafeString(
          String(value ?? '')
            .split(/\r?\n/)
            .map((line) => hbs.escapeExpression(line))
            .join('<br>'),
        ),
    ),
    footer: slot('footer'),
    preheader: slot('preheader'),
  };
  hbs.registerHelper(helpers);
  return Object.keys(helpers);
}

/**
 * Strict mode checks `{{field}}` but not a helper's arguments, so `(eq audience "nominee")` would
 * quietly be false without `audience`. This fails the same way strict mode does, naming the
 * argument's path (known because templates compile with `trackIds`). Null is a value.
 */
function strictArguments<A extends unknown[]>(helper: (...args: A) => unknown): Handlebars.HelperDelegate {
  return (...args: unknown[]) => {
    const options = args.at(-1) as Handlebars.HelperOptions & { ids?: (string | null)[]; loc?: hbs.AST.SourceLocation };
    const missing = args.slice(0, -1).findIndex((arg) => arg === undefined);
    if (missing !== -1) {
      const name = options.ids?.[missing] ?? `argument ${missing + 1}`;
      throw new Handlebars.Exception(`"${name}" not defined in a helper's arguments`, { loc: options.loc } as hbs.AST.Node);
    }
    return helper(...(args.slice(0, -1) as A));
  };
}

function sessionKindLabel(kind: string): string {
  const label = SESSION_KIND_LABELS[kind] ?? kind.replaceAll('_', ' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** Splits platform London wording ("Tuesday 1 December 2026, 9:30am") into day and time. */
function splitLondon(value: string): [string, string | null] {
  const at = value.lastIndexOf(', ');
  return at === -1 ? [value, null] : [value.slice(0, at), value.slice(at + 2)];
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

/** Plain text as a reader sees it: no trailing spaces, at most one blank line in a row. */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
