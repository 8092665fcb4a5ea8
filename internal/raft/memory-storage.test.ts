import { describe, expect, it } from 'vitest';
import { MemoryLogStorage } from './memory-storage.js';
import { isLogStorageError } from './storage.js';
import type { Entry } from './types.js';

const ent = (index: number, term: number, size = 0): Entry => ({ index, term, type: 'normal', data: new Uint8Array(size) });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isLogStorageError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe('MemoryLogStorage', () => {
  const filled = () => {
    const s = new MemoryLogStorage();
    s.append([ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)]);
    return s;
  };

  it('answers entries, terms and bounds with the LogStorage errors', () => {
    const s = filled();
    expect([s.firstIndex(), s.lastIndex()]).toEqual([1, 4]);
    expect(s.entries(2, 4).map((e) => e.index)).toEqual([2, 3]);
    expect(s.term(0)).toBe(0);
    expect(s.term(3)).toBe(2);
    expect(code(() => s.term(5))).toBe('Unavailable');
    expect(code(() => s.entries(3, 6))).toBe('Unavailable');
  });

  it('limits entries by bytes but always returns at least one', () => {
    const s = new MemoryLogStorage();
    s.append([ent(1, 1, 5), ent(2, 1, 5), ent(3, 1, 5)]);
    expect(s.entries(1, 4, 10).map((e) => e.index)).toEqual([1, 2]);
    expect(s.entries(1, 4, 1).map((e) => e.index)).toEqual([1]);
  });

  it('append replaces the tail from the first new index', () => {
    const s = filled();
    s.append([ent(3, 3)]);
    expect(s.lastIndex()).toBe(3);
    expect(s.term(3)).toBe(3);
    expect(() => s.append([ent(6, 3)])).toThrow(/gap/);
  });

  it('compacts only up to the snapshot and keeps the term at the compaction point', () => {
    const s = filled();
    expect(() => s.compact(2)).toThrow(/beyond snapshot/);
    s.createSnapshot(3, { voters: [1], learners: [] }, new Uint8Array([7]));
    s.compact(3);
    expect([s.firstIndex(), s.lastIndex(), s.term(3)]).toEqual([4, 4, 2]);
    expect(code(() => s.term(2))).toBe('Compacted');
    expect(code(() => s.entries(3, 5))).toBe('Compacted');
    // Entries at or below the compaction point are ignored on append.
    s.append([ent(3, 2), ent(4, 2), ent(5, 2)]);
    expect(s.lastIndex()).toBe(5);
  });

  it('applySnapshot replaces everything with a newer snapshot and refuses an older one', () => {
    const s = filled();
    const snap = { metadata: { index: 10, term: 4, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array() };
    expect(s.applySnapshot(snap)).toBe(true);
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 4]);
    expect(s.initialState().confState).toEqual({ voters: [1, 2], learners: [] });
    expect(s.applySnapshot({ ...snap, metadata: { ...snap.metadata, index: 9 } })).toBe(false);
  });

  it('withConfState bootstraps at (1, 1) with the configuration and a matching HardState', () => {
    const s = MemoryLogStorage.withConfState({ voters: [1, 2, 3], learners: [4] });
    expect(s.initialState()).toEqual({ hardState: { term: 1, vote: 0, commit: 1 }, confState: { voters: [1, 2, 3], learners: [4] } });
    expect([s.firstIndex(), s.lastIndex(), s.term(1)]).toEqual([2, 1, 1]);
  });
});
