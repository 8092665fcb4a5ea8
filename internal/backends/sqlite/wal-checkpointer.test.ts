import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './schema.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const root = mkdtempSync(join(tmpdir(), 'kplane-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function writer(path: string) {
  const db = openDatabase(path, { synchronous: 'NORMAL' });
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  return { db, write: () => ins.run(Buffer.alloc(2000, 7)) };
}

describe('WalCheckpointer', () => {
  it('turns automatic checkpoints off and checkpoints on a worker: the rows reach the database file itself', async () => {
    const path = join(root, 'a.db');
    const { db, write } = writer(path);
    const errors: Error[] = [];
    const c = new WalCheckpointer(db, { everyCommits: 20, onError: (e) => errors.push(e) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    for (let i = 0; i < 20; i++) {
      write();
      c.committed();
    }
    await until(() => c.done >= 1);
    // A copy of the main file alone (no WAL beside it) holds the checkpointed rows.
    copyFileSync(path, join(root, 'a-copy.db'));
    const file = new Database(join(root, 'a-copy.db'), { readonly: true });
    expect(file.prepare('SELECT count(*) FROM t').pluck().get()).toBe(20);
    file.close();
    expect(errors).toEqual([]);
    await c.close();
    db.close();
  });

  it('keeps the WAL bounded under a steady load (the writer checkpoints the tail the worker has not reached)', async () => {
    const path = join(root, 'c.db');
    const { db, write } = writer(path);
    const c = new WalCheckpointer(db, { everyCommits: 20, writerPages: 400 });
    // 3000 commits of a 2000-byte row, with the event loop turning between them as in a server.
    for (let i = 0; i < 3000; i++) {
      write();
      c.committed();
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    // Without the writer's own threshold the WAL holds every commit (about 6000 pages, 25 MB); with
    // it, the threshold plus what arrives while the worker holds the checkpoint lock.
    expect(statSync(`${path}-wal`).size).toBeLessThan(2000 * 4200);
    await c.close();
    db.close();
  });

  it('falls back to SQLite automatic checkpoints when the worker cannot open the file', async () => {
    const path = join(root, 'b.db');
    const { db, write } = writer(path);
    const errors: Error[] = [];
    const c = new WalCheckpointer(db, { everyCommits: 1, onError: (e) => errors.push(e) });
    renameSync(path, join(root, 'b-moved.db')); // the writer keeps its open file; the worker finds none
    write();
    c.committed();
    await until(() => errors.length > 0);
    expect(String(errors[0])).toMatch(/wal checkpoint|unable to open|SQLITE_CANTOPEN|does not exist/i);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    c.committed(); // no second worker, no throw
    await c.close();
    db.close();
  });
});
