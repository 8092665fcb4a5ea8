import { SelectorError } from './selector-error.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped value. */
  readonly value: string;
}

export type Fields = Readonly<Record<string, string>>;

/** A parsed field selector: the AND of its terms. Immutable. */
export interface FieldQuery {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** A missing field counts as "" (so `spec.nodeName=` selects unscheduled pods). */
  matches(fields: Fields): boolean;
  toString(): string;
  /** The value `field` must equal (`f=v` / `f==v`), for index lookups such as metadata.name. */
  requiresExactMatch(field: string): string | undefined;
}

export function fieldQuery(requirements: readonly FieldRequirement[]): FieldQuery {
  const reqs = [...requirements];
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (fields) =>
      reqs.every((r) => {
        const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
        return r.operator === '!=' ? v !== r.value : v === r.value;
      }),
    toString: () => reqs.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(','),
    requiresExactMatch: (field) => reqs.find((r) => r.field === field && r.operator !== '!=')?.value,
  };
}

export const everythingFields: FieldQuery = fieldQuery([]);

/** Escapes `\`, `,` and `=` so a value can be put in a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Undoes escapeFieldValue; an unknown escape or a bare `,`/`=` is an error (upstream wording). */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') fail(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune with %v, i.e. its code point number.
      fail(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) fail('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator occurrence splits the term; "!=" and "==" win over "=" at the same spot. */
function splitTerm(term: string): { field: string; operator: FieldOperator; raw: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, raw: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/**
 * Parses the `fieldSelector` query parameter: `f=v`, `f==v`, `f!=v` joined by `,`, with `\,`,
 * `\=` and `\\` escapes in values. Throws SelectorError InvalidFieldSelector with upstream's
 * message, e.g. "invalid selector: 'x'; can't understand 'x'".
 */
export function parseFieldSelector(selector: string): FieldQuery {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(selector).sort()) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) fail(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.field, operator: t.operator, value: unescapeFieldValue(t.raw) });
  }
  return fieldQuery(reqs);
}

/** Fields every resource supports (upstream DefaultMetaV1FieldSelectorConversion). */
export const DEFAULT_SELECTABLE_FIELDS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/**
 * Rejects fields outside `allowed`. Kinds with only the default fields get upstream's generic
 * message (`"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"`);
 * kinds with their own list (Pod, Event, Secret, Node, CRs, ...) get "field label not supported: f",
 * as their upstream conversion functions say. Throws SelectorError UnsupportedField.
 */
export function checkSelectableFields(query: FieldQuery, allowed: readonly string[]): void {
  const isDefault = allowed.length === 2 && DEFAULT_SELECTABLE_FIELDS.every((f) => allowed.includes(f));
  for (const r of query.requirements) {
    if (allowed.includes(r.field)) continue;
    const message = isDefault
      ? `${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`
      : `field label not supported: ${r.field}`;
    throw new SelectorError('UnsupportedField', message);
  }
}

function fail(message: string): never {
  throw new SelectorError('InvalidFieldSelector', message);
}
