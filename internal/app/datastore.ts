import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../util/index.js';

export type DatastoreKind = 'sqlite' | 'memory' | 'raftsqlite' | 'etcd';

const KINDS: readonly string[] = ['sqlite', 'memory', 'raftsqlite', 'etcd'];

/** db/datastore names the store a data dir was created with, written before the store opens. */
function markerPath(dataDir: string): string {
  return join(dataDir, 'db', 'datastore');
}

function recorded(dataDir: string): 'sqlite' | 'raftsqlite' | 'etcd' | undefined {
  const p = markerPath(dataDir);
  if (existsSync(p)) {
    const v = readFileSync(p, 'utf8').trim();
    if (v === 'sqlite' || v === 'raftsqlite' || v === 'etcd') return v;
    throw new ConfigError(`${p}: unknown datastore "${v}"`);
  }
  // Data dirs from before the marker: a Raft log means raftsqlite, a state DB alone means sqlite.
  const db = join(dataDir, 'db');
  if (existsSync(join(db, 'raft.db'))) return 'raftsqlite';
  if (existsSync(join(db, 'state.db'))) return 'sqlite';
  return undefined;
}

/**
 * The datastore this node runs. Without --datastore, the embedded default is the replicated
 * raftsqlite store even on one node: a single voter needs no set-up, and the same node accepts
 * `kplane add-node` joins later and becomes highly available at three nodes with no restart and
 * no migration. A data dir keeps the store it was created with; asking for another one is an error
 * rather than a silent reinterpretation of the files (the two stores share a schema, but a
 * single-node sqlite file has no Raft log that new members could replay).
 */
export function resolveDatastore(dataDir: string, requested?: string): { kind: DatastoreKind; why: string } {
  if (requested !== undefined && !KINDS.includes(requested)) throw new ConfigError(`--datastore must be one of ${KINDS.join(', ')}, got "${requested}"`);
  if (requested === 'memory') return { kind: 'memory', why: 'chosen with --datastore (nothing is kept on disk)' };
  const have = recorded(dataDir);
  if (have && requested && requested !== have) {
    throw new ConfigError(`${dataDir} holds a ${have} datastore; it cannot be opened as ${requested} (use a new --data-dir, or omit --datastore)`);
  }
  if (have) return { kind: have, why: requested ? 'chosen with --datastore' : `the data dir holds a ${have} datastore` };
  if (requested) return { kind: requested as DatastoreKind, why: 'chosen with --datastore' };
  return { kind: 'raftsqlite', why: 'the embedded default (Raft + SQLite: one voter now; other nodes join with kplane add-node)' };
}

/** Records the store of a new data dir before it is opened (so a crash mid-creation cannot flip it). */
export function recordDatastore(dataDir: string, kind: DatastoreKind): void {
  if (kind === 'memory' || existsSync(markerPath(dataDir))) return;
  mkdirSync(join(dataDir, 'db'), { recursive: true, mode: 0o700 });
  writeFileSync(markerPath(dataDir), `${kind}\n`, { mode: 0o600 });
}

/** Whether the data dir holds the single-node sqlite store, which other nodes cannot join. */
export function holdsSingleNodeStore(dataDir: string): boolean {
  return recorded(dataDir) === 'sqlite';
}
