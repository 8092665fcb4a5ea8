import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../util/index.js';

// Shared by the offline operations (`kplane recover`, `kplane snapshot restore`): make sure no server
// has the data dir open, back the data dir up before changing it, and read the state DB's position.

/** Where a data dir's raftsqlite files live. */
export function dbPaths(dataDir: string) {
  const dir = join(dataDir, 'db');
  return { dir, raft: join(dir, 'raft.db'), state: join(dir, 'state.db'), nodeId: join(dir, 'node-id'), snapshots: join(dir, 'snapshots') };
}

/**
 * Refuses when a process (a running `kplane server`) has the data dir's databases open. The probe
 * asks SQLite for an exclusive lock without waiting: a server keeps both files open in WAL mode for
 * its whole life, which blocks it; a server that was killed left no lock behind (a PID file would).
 */
export function assertOffline(dataDir: string): void {
  const p = dbPaths(dataDir);
  for (const file of [p.raft, p.state]) {
    if (!existsSync(file)) continue;
    const db = new Database(file, { fileMustExist: true, timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('ROLLBACK');
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        throw new ConfigError(`a kplane server is running on ${dataDir} (${file} is open in another process): stop it first`);
      }
      // Not a database (a damaged file): no server can be using it either; the caller's own checks decide.
    } finally {
      db.close();
    }
  }
}

/** A UTC timestamp for file names: 20261123T132252Z. */
export function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Copies the whole data dir to <backupDir>/<name>.backup-<timestamp> (backupDir defaults to the data
 * dir's parent) and returns that path. Run only while no server has it open, so the copy is
 * consistent (SQLite WAL files are copied with their databases).
 */
export function backupDataDir(dataDir: string, now = new Date(), backupDir?: string): string {
  const src = resolve(dataDir);
  const parent = resolve(backupDir ?? dirname(src));
  if (parent === src || parent.startsWith(src + sep)) throw new ConfigError(`the backup cannot go inside the data dir it copies (${parent})`);
  const base = join(parent, `${basename(src)}.backup-${stamp(now)}`);
  let dest = base;
  for (let n = 2; existsSync(dest); n++) dest = `${base}-${n}`;
  try {
    mkdirSync(parent, { recursive: true });
    cpSync(src, dest, { recursive: true, preserveTimestamps: true, errorOnExist: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC') {
      throw new ConfigError(`cannot write the backup ${dest} (${code}); nothing was changed: choose a writable place with --backup-dir`);
    }
    throw err;
  }
  return dest;
}

/** The applied index and term a state DB (or a snapshot image of one) holds. */
export function readStatePosition(path: string, label = path): { index: number; term: number; revision: number; schema: number } {
  if (!existsSync(path)) throw new ConfigError(`${label}: no such file`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ConfigError(`${label}: not a SQLite file (${(err as Error).message})`);
  }
  try {
    const schema = db.pragma('user_version', { simple: true }) as number;
    const hasMeta = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'kv_log', 'kv_current', 'leases')`).pluck().get() as number;
    if (hasMeta !== 4) throw new ConfigError(`${label}: not a kplane state image (no meta/kv_log/kv_current/leases tables)`);
    const m = db.prepare('SELECT applied_index, applied_term, current_rev FROM meta WHERE id = 1').get() as { applied_index: number; applied_term: number; current_rev: number } | undefined;
    if (!m) throw new ConfigError(`${label}: the meta row is missing`);
    return { index: m.applied_index, term: m.applied_term, revision: m.current_rev, schema };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${label}: not a kplane state image (${(err as Error).message})`);
  } finally {
    db.close();
  }
}

/** The node id a data dir holds (db/node-id), if any. */
export function readNodeId(dataDir: string): number | undefined {
  const f = dbPaths(dataDir).nodeId;
  if (!existsSync(f)) return undefined;
  const id = Number(readFileSync(f, 'utf8').trim());
  if (!Number.isSafeInteger(id) || id <= 0) throw new ConfigError(`${f}: not a node id`);
  return id;
}
