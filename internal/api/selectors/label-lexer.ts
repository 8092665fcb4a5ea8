/**
 * Tokenizer for label selector strings, following the token rules of k8s.io/apimachinery
 * labels (same tokens, same greedy operator scan, same whitespace set) so error messages that
 * quote a token quote the same text.
 */

export type LabelTokenKind =
  | 'error'
  | 'eos'
  | 'closePar'
  | 'comma'
  | 'not' // "!"
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notin'
  | 'openPar';

export interface LabelToken {
  kind: LabelTokenKind;
  /** The literal text ("" at end of string; the error text for 'error'). */
  literal: string;
}

const LITERALS: Record<string, LabelTokenKind> = {
  ')': 'closePar',
  ',': 'comma',
  '!': 'not',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notin',
  '(': 'openPar',
};

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits `input` into tokens, always ending with one 'eos' token. */
export function lexLabelSelector(input: string): LabelToken[] {
  const out: LabelToken[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && WHITESPACE.has(input[pos]!)) pos++;
    if (pos >= input.length) {
      out.push({ kind: 'eos', literal: '' });
      return out;
    }
    if (SPECIAL.has(input[pos]!)) {
      const r = scanOperator(input, pos);
      out.push(r.token);
      pos = r.end;
    } else {
      let end = pos;
      while (end < input.length && !SPECIAL.has(input[end]!) && !WHITESPACE.has(input[end]!)) end++;
      const text = input.slice(pos, end);
      out.push({ kind: LITERALS[text] ?? 'identifier', literal: text });
      pos = end;
    }
  }
}

/** Longest run of special characters that still forms a known operator ("!=" over "!"). */
function scanOperator(input: string, start: number): { token: LabelToken; end: number } {
  let best: LabelToken | undefined;
  let bestEnd = start;
  let end = start;
  while (end < input.length && SPECIAL.has(input[end]!)) {
    const text = input.slice(start, end + 1);
    const kind = LITERALS[text];
    if (kind) {
      best = { kind, literal: text };
      bestEnd = end + 1;
    } else if (best) {
      break;
    }
    end++;
  }
  if (!best) return { token: { kind: 'error', literal: `error expected: keyword found '${input.slice(start, end)}'` }, end };
  return { token: best, end: bestEnd };
}
