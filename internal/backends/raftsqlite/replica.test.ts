import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Op } from '../../storage/index.js';
import { openDatabase } from '../sqlite/index.js';
import { SqliteReplica } from './replica.js';

const enc = new TextEncoder();
const create = (key: string): Op => ({ op: 'create', key, value: enc.encode(key), lease: 0 });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kplane-replica-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteReplica', () => {
  it('applyMany: several entries in one transaction, with each entry\'s results and the last applied index', () => {
    const db = openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL' });
    const r = new SqliteReplica(db);
    const results: unknown[] = [];
    r.applyMany(() => {
      for (let i = 1; i <= 3; i++) results.push(r.apply(i, 1, [create(`/k/${i}a`), create(`/k/${i}b`)]));
    });
    expect(r.appliedIndex()).toBe(3);
    expect(r.sm.revision()).toBe(6);
    expect(results.map((rs) => (rs as { op: string }[]).map((x) => x.op))).toEqual([
      ['create', 'create'],
      ['create', 'create'],
      ['create', 'create'],
    ]);
    db.close();
    // Durable as one commit: a reopened file has all of it.
    const again = new SqliteReplica(openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL' }));
    expect(again.appliedIndex()).toBe(3);
    expect(again.sm.revision()).toBe(6);
  });

  it('applyMany that fails leaves the file at the index before it (the log replays the entries)', () => {
    const db = openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL' });
    const r = new SqliteReplica(db);
    r.apply(1, 1, [create('/k/1')]);
    expect(() =>
      r.applyMany(() => {
        r.apply(2, 1, [create('/k/2')]);
        throw new Error('disk full');
      }),
    ).toThrow(/disk full/);
    db.close();
    const again = new SqliteReplica(openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL' }));
    expect(again.appliedIndex()).toBe(1);
    expect(again.sm.revision()).toBe(1);
  });

  it('refuses to seal an image that is not a whole state DB (a backup that stopped at its first step)', async () => {
    const db = openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL' });
    const r = new SqliteReplica(db);
    r.apply(1, 1, [create('/k/1')]);
    expect(await r.saveImage(join(dir, 'good.db'))).toEqual({ index: 1, term: 1 });
    // better-sqlite3 resolves a backup whose first step got SQLITE_BUSY as finished: the image is
    // then an empty file. Simulate that outcome with a backup that writes nothing.
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const backup = db.backup.bind(db);
    db.backup = (async () => ({ totalPages: 0, remainingPages: 0 })) as typeof db.backup;
    await expect(r.saveImage(empty)).rejects.toThrow(/schema 0/);
    db.backup = backup;
    db.close();
  });
});
