/**
 * A small iCalendar reader for tests, written against RFC 5545 §3.1 (content lines) rather than
 * with an iCalendar library, so the calendars the code writes are not checked by code like it.
 *
 * It checks that the text unfolds into content lines of the form `NAME;PARAM=VALUE:value`, that
 * BEGIN/END nest into one root component with every property inside a component, and (with
 * {@link prop}) that a component holds a property exactly once. It does not check property values.
 */

/** A content line of an iCalendar object, after unfolding (RFC 5545 §3.1). */
export interface ContentLine {
  readonly name: string;
  readonly params: Record<string, string>;
  readonly value: string;
}

/** A component (VCALENDAR, VEVENT, …) with its own properties and sub-components, in order. */
export interface Component {
  readonly name: string;
  readonly properties: ContentLine[];
  readonly components: Component[];
}

/** Unfolds per RFC 5545 §3.1 (CRLF + one space or tab is removed) and splits into content lines. */
export function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

/** Splits `NAME;P=V;Q="V":value` (quoted parameter values may contain `:` and `;`). */
export function contentLine(line: string): ContentLine {
  const match = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$/.exec(line);
  if (!match) throw new Error(`Not an iCalendar content line: ${JSON.stringify(line)}`);
  const params: Record<string, string> = {};
  for (const [, key, raw] of match[2].matchAll(/;([A-Za-z0-9-]+)=("[^"]*"|[^";:]*)/g)) params[key.toUpperCase()] = raw.replace(/^"|"$/g, '');
  return { name: match[1].toUpperCase(), params, value: match[3] };
}

/** Parses the text into its component tree, failing on any BEGIN/END that does not nest. */
export function parseCalendar(ics: string): Component {
  const stack: Component[] = [];
  let root: Component | undefined;
  for (const line of unfold(ics)) {
    const property = contentLine(line);
    if (property.name === 'BEGIN') {
      const component: Component = { name: property.value, properties: [], components: [] };
      if (stack.length) stack[stack.length - 1].components.push(component);
      else if (root) throw new Error('Content after the end of the calendar');
      else root = component;
      stack.push(component);
    } else if (property.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== property.value) throw new Error(`END:${property.value} closes ${open?.name ?? 'nothing'}`);
    } else {
      if (!stack.length) throw new Error(`Property outside any component: ${line}`);
      stack[stack.length - 1].properties.push(property);
    }
  }
  if (stack.length) throw new Error(`Unclosed: ${stack.map((c) => c.name).join(', ')}`);
  if (!root) throw new Error('Empty calendar');
  return root;
}

/** The component's one property called `name`; throws when it has none or more than one. */
export function prop(component: Component, name: string): ContentLine {
  const found = component.properties.filter((p) => p.name === name);
  if (found.length !== 1) throw new Error(`${component.name} has ${found.length} ${name} properties`);
  return found[0];
}
