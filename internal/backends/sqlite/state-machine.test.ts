import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import type { Op } from '../../storage/index.js';
import { openDatabase } from './schema.js';
import { createSqliteStateMachine } from './state-machine.js';
import { b, tempDir } from './test-util.js';

describe('sqlite state machine', () => {
  let tmp: ReturnType<typeof tempDir>;
  const dbs: Database.Database[] = [];
  const open = (name: string) => {
    const db = openDatabase(tmp.path(name));
    dbs.push(db);
    return db;
  };
  beforeEach(() => (tmp = tempDir('sm')));
  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    tmp.cleanup();
  });

  it('assigns one revision per successful write; failed CAS ops in the batch write nothing', () => {
    const sm = createSqliteStateMachine(open('a.db'));
    const out = sm.apply(1, [
      { op: 'create', key: '/a', value: b('1'), lease: 0 },
      { op: 'create', key: '/a', value: b('dup'), lease: 0 },
      { op: 'update', key: '/a', value: b('2'), expectedModRevision: 1, lease: 0 },
      { op: 'update', key: '/a', value: b('stale'), expectedModRevision: 1, lease: 0 },
      { op: 'delete', key: '/missing' },
    ])!;
    expect(out.revision).toBe(2);
    expect(out.results.map((r) => ('result' in r ? [r.result.succeeded, r.result.revision, r.error] : r.op))).toEqual([
      [true, 1, undefined],
      [false, 1, 'KeyExists'],
      [true, 2, undefined],
      [false, 2, undefined],
      [false, 2, undefined],
    ]);
    expect(out.events.map((e) => [e.type, e.kv.modRevision, e.prevKv?.modRevision])).toEqual([
      ['put', 1, undefined],
      ['put', 2, 1],
    ]);
  });

  it('applies each index exactly once, also after reopening the file', () => {
    const db = open('b.db');
    const sm = createSqliteStateMachine(db);
    const batch: Op[] = [{ op: 'create', key: '/a', value: b('1'), lease: 0 }];
    expect(sm.apply(1, batch, 3)).not.toBeNull();
    expect(sm.apply(1, batch)).toBeNull();
    db.close();
    const again = createSqliteStateMachine(open('b.db'));
    expect([again.appliedIndex(), again.appliedTerm(), again.revision()]).toEqual([1, 3, 1]);
    expect(again.apply(1, batch)).toBeNull();
    expect(again.apply(2, [{ op: 'update', key: '/a', value: b('2'), expectedModRevision: 1, lease: 0 }])!.revision).toBe(2);
  });

  it('a failed transaction changes neither the file nor the cached state', () => {
    const db = open('c.db');
    const sm = createSqliteStateMachine(db);
    sm.apply(1, [{ op: 'create', key: '/a', value: b('1'), lease: 0 }]);
    // A value better-sqlite3 cannot bind makes the second op throw mid-transaction.
    const bad = { op: 'create', key: '/b', value: Symbol('x'), lease: 0 } as unknown as Op;
    expect(() => sm.apply(2, [{ op: 'create', key: '/c', value: b('c'), lease: 0 }, bad])).toThrow();
    expect([sm.appliedIndex(), sm.revision()]).toEqual([1, 1]);
    expect(db.prepare('SELECT count(*) FROM kv_log').pluck().get()).toBe(1);
    expect(sm.apply(2, [{ op: 'create', key: '/c', value: b('c'), lease: 0 }])!.revision).toBe(2);
  });

  it('replicas applying the same batches end with identical contents', () => {
    const batches: Op[][] = [
      [{ op: 'leaseGrant', id: 7, ttlSeconds: 10, expiresAtMs: 1_000 }],
      [
        { op: 'create', key: '/x', value: b('x'), lease: 7 },
        { op: 'create', key: '/y', value: b('y'), lease: 0 },
      ],
      [{ op: 'update', key: '/y', value: b('y2'), expectedModRevision: 2, lease: 0 }, { op: 'compact', revision: 2 }],
      [{ op: 'leaseRevoke', id: 7 }],
    ];
    const dump = (db: Database.Database) =>
      JSON.stringify(['kv_log', 'kv_current', 'leases', 'meta'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).raw().all()));
    const dumps = ['r1.db', 'r2.db'].map((name) => {
      const db = open(name);
      const sm = createSqliteStateMachine(db);
      batches.forEach((ops, i) => sm.apply(i + 1, ops));
      expect(sm.compactRevision()).toBe(2);
      return dump(db);
    });
    expect(dumps[0]).toBe(dumps[1]);
    // meta: id, current_rev, compact_rev, applied_index, applied_term, compacted_through
    expect(JSON.parse(dumps[0]!)[3]).toEqual([[1, 4, 2, 4, 0, 0]]);
  });

  it('leaseRevoke deletes the attached keys, one revision each', () => {
    const sm = createSqliteStateMachine(open('d.db'));
    sm.apply(1, [
      { op: 'leaseGrant', id: 5, ttlSeconds: 1, expiresAtMs: 0 },
      { op: 'create', key: '/l1', value: b('1'), lease: 5 },
      { op: 'create', key: '/l2', value: b('2'), lease: 5 },
      { op: 'create', key: '/keep', value: b('k'), lease: 0 },
    ]);
    const out = sm.apply(2, [{ op: 'leaseRevoke', id: 5 }])!;
    expect(out.events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
      ['delete', '/l1', 4],
      ['delete', '/l2', 5],
    ]);
  });
});
