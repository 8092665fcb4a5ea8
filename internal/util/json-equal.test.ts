import { describe, expect, it } from 'vitest';
import { jsonEqual, sameFields } from './json-equal.js';

describe('jsonEqual', () => {
  it('compares as JSON text would: key order and undefined-valued keys do not matter', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonEqual({ a: null }, { a: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });

  it('sameFields ignores one key on both sides', () => {
    expect(sameFields({ t: 1, a: [1] }, { t: 2, a: [1] }, 't')).toBe(true);
    expect(sameFields({ t: 1, a: [1] }, { t: 2, a: [2] }, 't')).toBe(false);
    expect(sameFields({ t: 1 }, { t: 2 }, undefined)).toBe(false);
  });
});
