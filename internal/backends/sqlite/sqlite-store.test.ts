import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { FakeClock, isConfigError } from '../../util/index.js';
import { isStorageError } from '../../storage/index.js';
import { openDatabase, SCHEMA_VERSION } from './schema.js';
import { createSqliteBackend, type SqliteBackend } from './sqlite-backend.js';
import { b, s, tempDir } from './test-util.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('sqlite backend specifics', () => {
  let tmp: ReturnType<typeof tempDir>;
  const open: SqliteBackend[] = [];
  const make = (name: string, extra: Partial<Parameters<typeof createSqliteBackend>[0]> = {}) => {
    const be = createSqliteBackend({ path: tmp.path(name), compaction: false, ...extra });
    open.push(be);
    return be;
  };
  beforeEach(() => (tmp = tempDir('sqlite')));
  afterEach(async () => {
    for (const be of open.splice(0)) await be.close();
    tmp.cleanup();
  });

  it('group commit: concurrent writes share batches, each CAS decided on its own', async () => {
    const be = make('gc.db');
    const c = await be.create('/k', b('0'));
    const results = await Promise.all([
      ...Array.from({ length: 31 }, (_, i) => be.create(`/n/${i}`, b(String(i)))),
      be.update('/k', b('winner'), c.revision),
      be.update('/k', b('loser'), c.revision),
    ]);
    expect(results.filter((r) => r.succeeded)).toHaveLength(32);
    expect(results[32]!.succeeded).toBe(false);
    expect(s(results[32]!.kv?.value)).toBe('winner');
    const stats = be.status.stats();
    expect(stats.ops).toBe(34);
    expect(stats.batches).toBe(2);
  });

  it('data, revision and leases survive a restart; lease expiry uses the stored absolute time', async () => {
    const clock = new FakeClock(1_000_000);
    const first = make('restart.db', { clock, leaseCheckIntervalMs: 100 });
    const lease = await first.grantLease(10);
    await first.create('/leased', b('l'), { lease });
    const kept = await first.create('/kept', b('k'));
    await first.close();
    clock.advance(11_000); // the lease ran out while the store was down
    const second = make('restart.db', { clock, leaseCheckIntervalMs: 100 });
    expect((await second.currentRevision()).revision).toBe(kept.revision);
    expect(await second.grantLease(5)).toBeGreaterThan(lease);
    clock.advance(100);
    await settle();
    await settle();
    expect((await second.get('/leased')).kv).toBeUndefined();
    expect(s((await second.get('/kept')).kv?.value)).toBe('k');
    expect((await second.currentRevision()).revision).toBe(kept.revision + 1);
  });

  it('periodic compaction runs from the injected clock and cleans the log', async () => {
    const clock = new FakeClock(0);
    const be = make('periodic.db', { clock, compaction: { intervalMs: 1000, retentionMs: 3000, minRetainRevisions: 2 } });
    let cur = await be.create('/a', b('0'));
    for (let t = 0; t < 6; t++) {
      cur = await be.update('/a', b(String(t)), cur.revision);
      clock.advance(1000);
      await settle();
    }
    const { compactRevision, revision } = await be.currentRevision();
    expect(compactRevision).toBeGreaterThan(0);
    expect(compactRevision).toBeLessThanOrEqual(revision - 2);
    await expect(be.get('/a', { revision: compactRevision - 1 })).rejects.toSatisfy((e) => isStorageError(e, 'Compacted'));
    const db = new Database(tmp.path('periodic.db'), { readonly: true });
    const rows = db.prepare('SELECT count(*) FROM kv_log WHERE rev <= ?').pluck().get(compactRevision);
    db.close();
    expect(rows).toBe(1);
  });

  it('rejects values over the size limit with TooLarge', async () => {
    const be = make('big.db', { maxValueBytes: 1024 });
    await expect(be.create('/big', new Uint8Array(2048))).rejects.toSatisfy((e) => isStorageError(e, 'TooLarge'));
    expect((await be.currentRevision()).revision).toBe(0);
  });

  it('refuses a database from a newer schema version, and foreign databases', () => {
    const path = tmp.path('future.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/newer than this kplane supports/);
    const foreign = tmp.path('foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    let err: unknown;
    try {
      openDatabase(foreign);
    } catch (e) {
      err = e;
    }
    expect(isConfigError(err)).toBe(true);
  });

  it('writes after close are Unavailable; close is idempotent', async () => {
    const be = make('closed.db');
    await be.close();
    await be.close();
    await expect(be.create('/x', b('x'))).rejects.toSatisfy((e) => isStorageError(e, 'Unavailable'));
    expect(be.status.ready()).toBe(false);
  });
});
