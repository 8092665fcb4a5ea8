import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { FakeClock } from '../../util/index.js';
import { CompactionPolicy } from '../shared/compaction-policy.js';
import { Compactor } from './compactor.js';
import { SqliteReader } from './reader.js';
import { openDatabase } from './schema.js';
import { createSqliteStateMachine, type SqliteStateMachine } from './state-machine.js';
import { b, s, tempDir } from './test-util.js';

describe('physical compaction', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let sm: SqliteStateMachine;
  let reader: SqliteReader;
  let index = 0;
  const apply = (...ops: Parameters<SqliteStateMachine['apply']>[1]) => sm.apply(++index, ops)!;
  beforeEach(() => {
    tmp = tempDir('compact');
    db = openDatabase(tmp.path('c.db'));
    sm = createSqliteStateMachine(db);
    reader = new SqliteReader(db, () => ({ revision: sm.revision(), compactRevision: sm.compactRevision() }));
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  const logRevs = () => db.prepare('SELECT rev FROM kv_log ORDER BY rev').pluck().all();

  it('keeps exactly the newest live version <= compact_rev of each key, and everything above', async () => {
    apply({ op: 'create', key: '/a', value: b('a1'), lease: 0 }); // 1
    apply({ op: 'update', key: '/a', value: b('a2'), expectedModRevision: 1, lease: 0 }); // 2
    apply({ op: 'create', key: '/gone', value: b('g'), lease: 0 }); // 3
    apply({ op: 'delete', key: '/gone' }); // 4
    apply({ op: 'create', key: '/b', value: b('b1'), lease: 0 }); // 5
    apply({ op: 'update', key: '/b', value: b('b2'), expectedModRevision: 5, lease: 0 }); // 6 (above compact: keeps prev 5)
    apply({ op: 'create', key: '/gone', value: b('again'), lease: 0 }); // 7
    apply({ op: 'compact', revision: 5 });
    const c = new Compactor(db, () => sm.compactRevision(), { chunkRevisions: 2 });
    c.kick();
    await c.idle;
    expect(c.chunksDone).toBe(3);
    expect(logRevs()).toEqual([2, 5, 6, 7]);
    expect(reader.list('/', { revision: 5 }).kvs.map((kv) => [kv.key, s(kv.value)])).toEqual([
      ['/a', 'a2'],
      ['/b', 'b1'],
    ]);
    // Catch-up from the compaction point still has prevKv for every event.
    expect(reader.history('/', 5, 7, 10).map((e) => [e.kv.modRevision, s(e.prevKv?.value)])).toEqual([
      [6, 'b1'],
      [7, undefined],
    ]);
  });

  it('a later compaction removes versions an earlier one had to keep', async () => {
    apply({ op: 'create', key: '/a', value: b('1'), lease: 0 }); // 1
    apply({ op: 'compact', revision: 1 });
    const c = new Compactor(db, () => sm.compactRevision());
    c.kick();
    await c.idle;
    expect(logRevs()).toEqual([1]);
    apply({ op: 'update', key: '/a', value: b('2'), expectedModRevision: 1, lease: 0 }); // 2
    apply({ op: 'delete', key: '/a' }); // 3
    apply({ op: 'create', key: '/z', value: b('z'), lease: 0 }); // 4
    apply({ op: 'compact', revision: 3 });
    c.kick();
    await c.idle;
    expect(logRevs()).toEqual([4]);
    expect(db.prepare('SELECT compacted_through FROM meta').pluck().get()).toBe(3);
  });
});

describe('compaction policy', () => {
  it('compacts to the revision current retentionMs ago, keeping a small revision floor', async () => {
    const clock = new FakeClock(0);
    let revision = 0;
    let compactRevision = 0;
    const calls: number[] = [];
    const policy = new CompactionPolicy(
      clock,
      () => ({ revision, compactRevision }),
      async (rev) => {
        calls.push(rev);
        compactRevision = rev;
      },
      { intervalMs: 1000, retentionMs: 5000, minRetainRevisions: 10 },
    );
    policy.start();
    for (let t = 1; t <= 12; t++) {
      revision += 20;
      clock.advance(1000);
      await Promise.resolve();
    }
    // At t=12s the newest sample at least 5s old is t=7s (revision 140).
    expect(calls[calls.length - 1]).toBe(140);
    expect(calls).toEqual([...calls].sort((x, y) => x - y));
    // Idle store: the revision stops moving, and compaction still catches up to head - floor.
    for (let t = 0; t < 10; t++) {
      clock.advance(1000);
      await Promise.resolve();
    }
    expect(compactRevision).toBe(revision - 10);
    policy.stop();
  });

  it('does nothing while the store is younger than the floor', () => {
    const clock = new FakeClock(100_000);
    const policy = new CompactionPolicy(clock, () => ({ revision: 50, compactRevision: 0 }), async () => {}, { minRetainRevisions: 100 });
    policy.start();
    expect(policy.target(clock.now() + 10 * 60_000)).toBe(0);
    policy.stop();
  });
});
