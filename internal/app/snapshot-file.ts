import { copyFileSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { readStatePosition } from './recover-offline.js';

/**
 * Copies a snapshot image the local server wrote (`kplane snapshot save`) to `dest` as one
 * self-contained file: the image is a SQLite online backup of a WAL-mode database, so its copy is
 * switched to a rollback journal (otherwise merely opening it, even read-only, leaves -wal and -shm
 * files beside it). Written under a temporary name and renamed, so `dest` is never half a file.
 */
export function saveSnapshotCopy(src: string, dest: string): { index: number; term: number; revision: number; bytes: number } {
  const part = `${dest}.part`;
  copyFileSync(src, part);
  try {
    const db = new Database(part);
    try {
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    const pos = readStatePosition(part);
    renameSync(part, dest);
    return { index: pos.index, term: pos.term, revision: pos.revision, bytes: statSync(dest).size };
  } finally {
    rmSync(part, { force: true });
    rmSync(`${part}-wal`, { force: true });
    rmSync(`${part}-shm`, { force: true });
  }
}
