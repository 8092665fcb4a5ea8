import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteBackend } from '../backends/index.js';
import { saveSnapshotCopy } from './snapshot-file.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('saveSnapshotCopy', () => {
  it('writes a self-contained copy of a WAL-mode image that can be opened without leaving files beside it', async () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-snapfile-'));
    const state = join(root, 'state.db');
    const s = createSqliteBackend({ path: state });
    await s.create('/registry/a', new TextEncoder().encode('1'));
    await s.create('/registry/b', new TextEncoder().encode('2'));
    await s.close();
    const image = join(root, 'image.db');
    const src = new Database(state);
    await src.backup(image);
    src.close();
    const dest = join(root, 'saved.db');
    const r = saveSnapshotCopy(image, dest);
    expect(r).toMatchObject({ index: 2, revision: 2 });
    expect(r.bytes).toBeGreaterThan(0);
    const ro = new Database(dest, { readonly: true });
    expect(ro.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(ro.prepare('SELECT count(*) FROM kv_current').pluck().get()).toBe(2);
    ro.close();
    for (const f of ['-wal', '-shm', '.part']) expect(existsSync(dest + f)).toBe(false);
  });

  it('leaves nothing behind when the source is not a state image', () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-snapfile-'));
    const other = join(root, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => saveSnapshotCopy(other, join(root, 'saved.db'))).toThrow(/not a kplane state image/);
    expect(existsSync(join(root, 'saved.db'))).toBe(false);
    expect(existsSync(join(root, 'saved.db.part'))).toBe(false);
  });
});
