import { describe, expect, it } from 'vitest';
import { checkExpandedSize, checkJsonDepth } from './depth.js';

describe('checkJsonDepth', () => {
  const cases: [string, string, number, boolean][] = [
    ['flat', '{"a":1}', 1, true],
    ['at the limit', '[[[1]]]', 3, true],
    ['over the limit', '[[[[1]]]]', 3, false],
    ['brackets inside strings do not count', '["[[[[[[", "{{{{"]', 1, true],
    ['an escaped quote does not end the string', '["\\"[[[[[[[["]', 1, true],
    ['an escaped backslash before the closing quote', '["\\\\", [[1]]]', 2, false],
    ['siblings do not add up', '[[1],[2],[3],[4]]', 2, true],
  ];
  for (const [name, text, max, ok] of cases) {
    it(name, () => {
      // The length shortcut is bypassed by padding: only nesting decides.
      const padded = `${text}${' '.repeat(10)}`;
      if (ok) expect(() => checkJsonDepth(padded, max)).not.toThrow();
      else expect(() => checkJsonDepth(padded, max)).toThrow(`exceeded max depth of ${max}`);
    });
  }
});

describe('checkExpandedSize', () => {
  it('counts shared nodes once per reference and stops on a cycle', () => {
    const shared = { s: 'x'.repeat(100) };
    expect(() => checkExpandedSize({ a: shared, b: shared }, 300)).not.toThrow();
    expect(() => checkExpandedSize({ a: shared, b: shared, c: shared }, 300)).toThrow('expands to more than 300 bytes');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => checkExpandedSize(cyclic, 10_000, 50)).toThrow('exceeded max depth of 50');
  });
});
