import { type LabelToken, type LabelTokenKind, lexLabelSelector } from './label-lexer.js';
import {
  type LabelOperator,
  type LabelRequirement,
  type Labels,
  NIL_PATH,
  labelKeyError,
  requirementError,
  requirementMatches,
  requirementString,
} from './label-requirement.js';
import { SelectorError } from './selector-error.js';

/** A parsed label selector: the AND of its requirements. Immutable. */
export interface LabelQuery {
  /** Sorted by key, as upstream sorts them. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the query selects everything (no requirements). */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  /** Canonical text (Scale.status.selector, logs). "" for everything. */
  toString(): string;
  /** The single value a key must have (`k=v`, `k==v`, `k in (v)`), for index lookups. */
  requiresExactMatch(key: string): string | undefined;
}

/** Builds a query from requirements that are already valid. `nothing` selects no object. */
export function labelQuery(requirements: readonly LabelRequirement[], opts: { nothing?: boolean } = {}): LabelQuery {
  const reqs = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (opts.nothing) {
    return { requirements: [], empty: false, matches: () => false, toString: () => '', requiresExactMatch: () => undefined };
  }
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (labels) => reqs.every((r) => requirementMatches(r, labels)),
    toString: () => reqs.map(requirementString).join(','),
    requiresExactMatch(key) {
      const r = reqs.find((x) => x.key === key);
      if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
      return r.values[0];
    },
  };
}

export const everythingLabels: LabelQuery = labelQuery([]);
export const nothingLabels: LabelQuery = labelQuery([], { nothing: true });

/**
 * Parses the `labelSelector` query parameter: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`,
 * `k` (exists), `!k` (absent), `k>1`, `k<1`, joined by `,`. Throws SelectorError
 * InvalidLabelSelector with upstream's message, e.g. "unable to parse requirement: found '=',
 * expected: identifier".
 */
export function parseLabelSelector(input: string): LabelQuery {
  return labelQuery(new LabelParser(lexLabelSelector(input)).parse());
}

type Context = 'keyAndOperator' | 'values';

class LabelParser {
  private pos = 0;
  constructor(private readonly tokens: LabelToken[]) {}

  /** In value position "in" and "notin" are ordinary identifiers ("x in (in)"). */
  private kindIn(t: LabelToken, ctx: Context): LabelTokenKind {
    return ctx === 'values' && (t.kind === 'in' || t.kind === 'notin') ? 'identifier' : t.kind;
  }
  private peek(ctx: Context): { kind: LabelTokenKind; literal: string } {
    const t = this.tokens[this.pos]!;
    return { kind: this.kindIn(t, ctx), literal: t.literal };
  }
  private next(ctx: Context): { kind: LabelTokenKind; literal: string } {
    const t = this.peek(ctx);
    this.pos++;
    return t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek('values');
      if (t.kind === 'eos') return reqs;
      if (t.kind !== 'identifier' && t.kind !== 'not') fail(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (err) {
        if (err instanceof SelectorError) fail(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const sep = this.next('values');
      if (sep.kind === 'eos') return reqs;
      if (sep.kind !== 'comma') fail(`found '${sep.literal}', expected: ',' or 'end of string'`);
      const after = this.peek('values');
      if (after.kind !== 'identifier' && after.kind !== 'not') fail(`found '${after.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    const { key, operator } = this.keyAndInferredOperator();
    if (operator) return checked({ key, operator, values: [] });
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return checked({ key, operator: op, values: [...new Set(values)].sort() });
  }

  /** Reads `[!]key`; infers `exists` when the key stands alone. */
  private keyAndInferredOperator(): { key: string; operator?: LabelOperator } {
    let operator: LabelOperator | undefined;
    let t = this.next('values');
    if (t.kind === 'not') {
      operator = '!';
      t = this.next('values');
    }
    if (t.kind !== 'identifier') fail(`found '${t.literal}', expected: identifier`);
    const keyErr = labelKeyError(t.literal, NIL_PATH);
    if (keyErr) fail(keyErr);
    const la = this.peek('values').kind;
    if ((la === 'eos' || la === 'comma') && operator !== '!') operator = 'exists';
    return { key: t.literal, operator };
  }

  private operator(): LabelOperator {
    const t = this.next('keyAndOperator');
    const ops: Partial<Record<LabelTokenKind, LabelOperator>> = {
      in: 'in',
      equals: '=',
      doubleEquals: '==',
      greaterThan: 'gt',
      lessThan: 'lt',
      notin: 'notin',
      notEquals: '!=',
    };
    const op = ops[t.kind];
    if (!op) fail(`found '${t.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    return op;
  }

  /** `( a, b )`; "()" is the set {""}, and empty items between commas are "". */
  private setValues(): string[] {
    const open = this.next('values');
    if (open.kind !== 'openPar') fail(`found '${open.literal}' expected: '('`);
    const first = this.peek('values');
    if (first.kind === 'closePar') {
      this.next('values');
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== 'comma') fail(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    this.next('values'); // the ')' identifierList stopped at
    return values;
  }

  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.next('values');
      if (t.kind === 'identifier') {
        values.push(t.literal);
        const la = this.peek('values');
        if (la.kind === 'closePar') return values;
        if (la.kind !== 'comma') fail(`found '${la.literal}', expected: ',' or ')'`);
      } else if (t.kind === 'comma') {
        if (values.length === 0) values.push('');
        const la = this.peek('values').kind;
        if (la === 'closePar') {
          values.push('');
          return values;
        }
        if (la === 'comma') {
          this.next('values');
          values.push('');
        }
      } else {
        fail(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
  }

  /** The value after =, ==, !=, >, <; missing means "". */
  private exactValue(): string[] {
    const la = this.peek('values').kind;
    if (la === 'eos' || la === 'comma') return [''];
    const t = this.next('values');
    if (t.kind !== 'identifier') fail(`found '${t.literal}', expected: identifier`);
    return [t.literal];
  }
}

function checked(r: LabelRequirement): LabelRequirement {
  const err = requirementError(r);
  if (err) fail(err);
  return r;
}

function fail(message: string): never {
  throw new SelectorError('InvalidLabelSelector', message);
}
