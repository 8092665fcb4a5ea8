import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheState } from './cache-state.js';
import { lowerBound, SortedKeys } from './sorted-keys.js';
import { everythingPred } from '../testing/object-store-conformance-helpers.js';

type Op = { kind: 'add' | 'remove'; key: string } | { kind: 'read' } | { kind: 'reset'; keys: string[] };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g').chain((p) => fc.nat(40).map((n) => `/r/${p}/${n}`));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: key.map((k) => ({ kind: 'add' as const, key: k })) },
  { weight: 3, arbitrary: key.map((k) => ({ kind: 'remove' as const, key: k })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 1, arbitrary: fc.uniqueArray(key, { maxLength: 30 }).map((keys) => ({ kind: 'reset' as const, keys })) },
);

describe('SortedKeys', () => {
  afterEach(() => vi.restoreAllMocks());

  it('always reads as the sorted set of present keys, whatever the order of adds, removes and reads', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const s = new SortedKeys();
        const model = new Set<string>();
        for (const o of ops) {
          if (o.kind === 'reset') {
            s.reset(o.keys);
            model.clear();
            for (const k of o.keys) model.add(k);
          } else if (o.kind === 'add') {
            if (!model.has(o.key)) (model.add(o.key), s.add(o.key));
          } else if (o.kind === 'remove') {
            if (model.has(o.key)) (model.delete(o.key), s.remove(o.key));
          } else {
            expect(s.keys()).toEqual([...model].sort());
          }
        }
        expect(s.keys()).toEqual([...model].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('a list after a few inserts sorts only the inserted keys, not every key', () => {
    const state = new CacheState(100);
    const n = 2000;
    const entry = (k: string, rev: number) => ({ key: k, revision: rev, object: { metadata: { name: k } } });
    state.reset(Array.from({ length: n }, (_, i) => entry(`/r/cm/${String(i * 2).padStart(5, '0')}`, 1)), 1);
    expect(state.page('/r/cm/', '', 0, everythingPred).entries).toHaveLength(n);
    const sortedLengths: number[] = [];
    const sort = Array.prototype.sort;
    vi.spyOn(Array.prototype, 'sort').mockImplementation(function (this: unknown[], cmp?: (a: unknown, b: unknown) => number) {
      sortedLengths.push(this.length);
      return sort.call(this, cmp) as unknown[];
    });
    let rev = 2;
    for (const k of ['/r/cm/00003', '/r/cm/01001', '/r/cm/99999', '/r/cm/00007']) state.apply({ key: k, revision: rev, object: entry(k, rev++).object });
    state.apply({ key: '/r/cm/00002', revision: rev, prev: entry('/r/cm/00002', 1).object });
    const page = state.page('/r/cm/', '', 0, everythingPred);
    vi.restoreAllMocks();
    expect(page.entries).toHaveLength(n + 3);
    const keys = page.entries.map((e) => e.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys).not.toContain('/r/cm/00002');
    expect(Math.max(0, ...sortedLengths)).toBeLessThanOrEqual(3);
  });

  it('lowerBound finds the first key not below the probe', () => {
    const keys = ['/a', '/b', '/b/x', '/c'];
    expect([lowerBound(keys, ''), lowerBound(keys, '/b'), lowerBound(keys, '/b/'), lowerBound(keys, '/d')]).toEqual([0, 1, 2, 4]);
  });
});
