import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLogStorageError, type Entry } from '../raft/index.js';
import { SqliteLogStorage } from './log-store.js';

const ent = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(text) });
const txt = (e: Entry) => new TextDecoder().decode(e.data);

let dir: string;
let stores: SqliteLogStorage[] = [];
const open = (opts = {}) => {
  const s = new SqliteLogStorage(join(dir, 'raft.db'), opts);
  stores.push(s);
  return s;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kplane-raftlog-'));
  stores = [];
});
afterEach(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteLogStorage', () => {
  it('starts empty and bootstraps a founding configuration', () => {
    const s = open();
    expect(s.isEmpty()).toBe(true);
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    s.bootstrap({ voters: [1, 2, 3], learners: [] });
    expect(s.isEmpty()).toBe(false);
    expect(s.initialState()).toEqual({ hardState: { term: 1, vote: 0, commit: 1 }, confState: { voters: [1, 2, 3], learners: [] } });
    expect(s.firstIndex()).toBe(2);
    expect(s.term(1)).toBe(1);
    expect(() => s.bootstrap({ voters: [1], learners: [] })).toThrow(/not empty/);
  });

  it('appends, overwrites a conflicting tail, and survives reopen', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [ent(2, 1), ent(3, 1), ent(4, 1)], hardState: { term: 1, vote: 1, commit: 3 } });
    s.save({ entries: [ent(3, 2, 'new3')], hardState: { term: 2, vote: 1, commit: 3 } });
    expect(s.lastIndex()).toBe(3);
    expect(s.entries(2, 4).map(txt)).toEqual(['e2', 'new3']);
    s.close();
    const r = open();
    expect(r.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 3 });
    expect(r.firstIndex()).toBe(2);
    expect(r.lastIndex()).toBe(3);
    expect(r.term(3)).toBe(2);
    expect(r.entries(2, 4).map(txt)).toEqual(['e2', 'new3']);
  });

  it('throws Compacted / Unavailable at the edges, as the core expects', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [ent(2, 1), ent(3, 1)] });
    expect(s.term(1)).toBe(1);
    expect(() => s.term(0)).toThrow(expect.objectContaining({ code: 'Compacted' }));
    expect(() => s.term(4)).toThrow(expect.objectContaining({ code: 'Unavailable' }));
    const err = (() => {
      try {
        s.entries(1, 3);
      } catch (e) {
        return e;
      }
    })();
    expect(isLogStorageError(err, 'Compacted')).toBe(true);
    expect(() => s.entries(2, 5)).toThrow(expect.objectContaining({ code: 'Unavailable' }));
  });

  it('honours maxBytes but always returns one entry, from the cache and from the file', () => {
    // A 10-byte cache: only the newest entry stays in memory; older reads go to SQLite.
    const s = open({ cacheBytes: 10 });
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [2, 3, 4, 5].map((i) => ent(i, 1, 'x'.repeat(8))) });
    expect(s.entries(2, 6).length).toBe(4);
    expect(s.entries(2, 6, 16).length).toBe(2);
    expect(s.entries(2, 6, 1).length).toBe(1);
    expect(s.entries(5, 6, 1).map((e) => e.index)).toEqual([5]);
  });

  it('creates a snapshot, compacts, and keeps both across reopen', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [2, 3, 4, 5].map((i) => ent(i, 1)), hardState: { term: 1, vote: 1, commit: 5 } });
    s.createSnapshot(4, { voters: [1, 2], learners: [3] }, new TextEncoder().encode('desc'));
    s.compact(3);
    expect(s.firstIndex()).toBe(4);
    expect(s.term(3)).toBe(1);
    expect(() => s.compact(5)).toThrow(/beyond snapshot/);
    s.close();
    const r = open();
    expect(r.firstIndex()).toBe(4);
    expect(r.lastIndex()).toBe(5);
    expect(r.snapshot().metadata).toEqual({ index: 4, term: 1, confState: { voters: [1, 2], learners: [3] } });
    expect(new TextDecoder().decode(r.snapshot().data)).toBe('desc');
    expect(r.initialState().confState).toEqual({ voters: [1, 2], learners: [3] });
    expect(r.entries(4, 6).map(txt)).toEqual(['e4', 'e5']);
  });

  it('installs a received snapshot, replacing the whole log', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [ent(2, 1), ent(3, 1)] });
    s.save({ snapshot: { metadata: { index: 10, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array([1]) }, entries: [ent(11, 3)], hardState: { term: 3, vote: 0, commit: 10 } });
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(11);
    expect(s.term(10)).toBe(3);
    s.close();
    const r = open();
    expect(r.firstIndex()).toBe(11);
    expect(r.lastIndex()).toBe(11);
    expect(r.entries(11, 12).map(txt)).toEqual(['e11']);
    // An older snapshot than the stored one is ignored.
    r.save({ snapshot: { metadata: { index: 5, term: 2, confState: { voters: [1], learners: [] } }, data: new Uint8Array() }, entries: [] });
    expect(r.snapshot().metadata.index).toBe(10);
  });

  it('refuses a gap in appended entries', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    expect(() => s.save({ entries: [ent(5, 1)] })).toThrow(/gap/);
  });

  it('runs with synchronous=FULL (durable commits)', () => {
    const s = open();
    // 2 = FULL. Read through a second connection's view of the same pragma is per-connection, so ask the store's.
    expect((s as unknown as { db: { pragma(q: string, o: object): unknown } }).db.pragma('synchronous', { simple: true })).toBe(2);
  });
});

describe('SqliteLogStorage commit index', () => {
  it('writes a commit-only HardState with the next batch or at close, not in a transaction of its own', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [ent(2, 1), ent(3, 1)], hardState: { term: 1, vote: 1, commit: 1 } });
    const changes = () => (s as unknown as { db: { prepare(q: string): { pluck(): { get(): number } } } }).db.prepare('SELECT total_changes()').pluck().get();
    const before = changes();
    s.save({ entries: [], hardState: { term: 1, vote: 1, commit: 3 } }, false);
    expect(changes()).toBe(before); // nothing written
    expect(s.hardState()).toEqual({ term: 1, vote: 1, commit: 3 });
    // The next batch carries it (its own Ready has no HardState change).
    s.save({ entries: [ent(4, 1)] });
    s.close();
    stores = [];
    expect(open().hardState()).toEqual({ term: 1, vote: 1, commit: 3 });
  });

  it('a reopened log never reports a commit below its snapshot; close writes a pending commit index', () => {
    const s = open();
    s.bootstrap({ voters: [1], learners: [] });
    s.save({ entries: [ent(2, 1), ent(3, 1), ent(4, 1)], hardState: { term: 1, vote: 1, commit: 1 } });
    s.save({ entries: [], hardState: { term: 1, vote: 1, commit: 4 } }, false);
    s.createSnapshot(4, { voters: [1], learners: [] }, new Uint8Array());
    // A crash now (a second handle, no close): the file says commit 1, its snapshot is at 4.
    const crashed = new SqliteLogStorage(join(dir, 'raft.db'));
    expect(crashed.hardState().commit).toBe(4);
    crashed.close();
    s.save({ entries: [], hardState: { term: 1, vote: 1, commit: 4 } }, false);
    s.close();
    stores = [];
    expect(open().hardState().commit).toBe(4);
  });

  it('a term or vote change is never deferred', () => {
    const s = open();
    s.bootstrap({ voters: [1, 2], learners: [] });
    s.save({ entries: [], hardState: { term: 2, vote: 2, commit: 1 } });
    // Reopen without close(): what a crash leaves.
    const other = new SqliteLogStorage(join(dir, 'raft.db'));
    expect(other.hardState()).toEqual({ term: 2, vote: 2, commit: 1 });
    other.close();
  });
});
