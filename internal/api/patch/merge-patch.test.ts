import { describe, expect, it } from 'vitest';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

// The test cases of RFC 7386 Appendix A.
const RFC_CASES: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch (RFC 7386)', () => {
  it.each(RFC_CASES.map((c, i) => [i, ...c]))('appendix case %i', (_i, target, patch, want) => {
    expect(applyMergePatch(target, patch)).toEqual(want);
  });

  it('does not mutate its arguments', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: 2 } };
    applyMergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { c: 2 } });
  });

  it('deletes a label the way kubectl label k- does', () => {
    const obj = { metadata: { name: 'x', labels: { a: '1', b: '2' } } };
    expect(applyMergePatch(obj, { metadata: { labels: { a: null } } })).toEqual({ metadata: { name: 'x', labels: { b: '2' } } });
  });
});

describe('createMergePatch', () => {
  it('round-trips through applyMergePatch', () => {
    const from = { a: 1, b: { c: [1, 2], d: 'x' }, e: 'gone' };
    const to = { a: 2, b: { c: [1], d: 'x' }, f: true };
    const patch = createMergePatch(from, to);
    expect(patch).toEqual({ a: 2, b: { c: [1] }, e: null, f: true });
    expect(applyMergePatch(from, patch)).toEqual(to);
  });
});
