import { describe, expect, it } from 'vitest';
import { jsonClone } from './json-clone.js';
import { seededRand } from './rand.js';

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));
// toStrictEqual tells undefined-valued keys from missing ones and checks key order via JSON text.
const same = (v: unknown) => {
  const c = jsonClone(v);
  expect(c).toStrictEqual(roundTrip(v));
  expect(JSON.stringify(c)).toBe(JSON.stringify(v));
  expect(Object.is(c, -0)).toBe(false);
};

describe('jsonClone', () => {
  it('equals the JSON text round trip on the edge cases', () => {
    same({ a: 1, b: 'x', c: true, d: null, e: undefined, f: () => 1, g: Symbol('s'), h: [1, undefined, () => 1, Symbol('t'), NaN, -0, Infinity] });
    same({ 2: 'two', 1: 'one', z: 'z', a: 'a' });
    same({ when: new Date(Date.UTC(2026, 0, 1)), custom: { toJSON: () => ({ x: 1 }) }, map: new Map([[1, 2]]) });
    same([[], {}, [[{}]], { nested: { deeper: [0, -0, 1e300, -1e-300] } }]);
    same(-0);
    same('\ud800 lone surrogate');
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const c = jsonClone(proto);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.keys(c)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(c)).toBe(JSON.stringify(proto));
    expect(jsonClone(undefined)).toBeUndefined();
    expect(() => jsonClone({ n: 1n })).toThrow(TypeError);
  });

  it('returns an independent copy that shares nothing mutable', () => {
    const src = { metadata: { labels: { a: 'b' } }, list: [{ x: 1 }] };
    const c = jsonClone(src);
    c.metadata.labels.a = 'changed';
    c.list[0]!.x = 2;
    expect(src).toEqual({ metadata: { labels: { a: 'b' } }, list: [{ x: 1 }] });
  });

  it('equals the round trip on random JSON-ish values', () => {
    const rand = seededRand(11);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.4) return pick<unknown>([0, -0, 1.5, -7, NaN, 'str', '', true, false, null, undefined, 'ü\n"q"']);
      if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rand() * 5); i++) o[pick(['a', 'b', '3', 'key', 'x-y', '0'])] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const v = { root: gen(0) };
      same(v);
    }
  });
});
