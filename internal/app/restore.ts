import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCHEMA_VERSION, openDatabase } from '../backends/index.js';
import { seedRaftLog } from '../raftnode/index.js';
import { ConfigError, fsyncPath } from '../util/index.js';
import { newClusterId, writeClusterId } from './cluster-id.js';
import { pkiPaths } from './credentials.js';
import { recordDatastore } from './datastore.js';
import { peerAddress } from './raft-datastore.js';
import { assertOffline, backupDataDir, dbPaths, readNodeId, readStatePosition } from './recover-offline.js';

// `kplane snapshot restore FILE --data-dir DIR`: a new one-voter raftsqlite cluster whose state is
// a snapshot saved with `kplane snapshot save` (or a copy of a stopped node's db/state.db).

export interface RestoreOptions {
  /** The snapshot image (a SQLite copy of a state DB). */
  file: string;
  dataDir: string;
  /** As the server will be started: they give this node's Raft peer address, recorded in the new configuration. */
  listen?: { host: string; port: number };
  peerListen?: { host: string; port: number };
  advertiseAddress?: string;
  failureDomain?: string;
  /** Where the copy of a non-empty data dir goes (default: beside it). */
  backupDir?: string;
  now?: Date;
}

export interface RestoreResult {
  nodeId: number;
  /** The applied index, term and revision the restored state starts at. */
  index: number;
  term: number;
  revision: number;
  peerAddress: string;
  /** The restored cluster's new id: members of the cluster the image came from are refused by it. */
  clusterId: string;
  /** Copy of the data dir as it was, when it held anything. */
  backup?: string;
  /** Whether the data dir already holds credentials (kept) and the CA key (needed by add-node). */
  credentials: boolean;
  caKey: boolean;
}

/**
 * Offline: refuses while a server has the data dir open. Backs up whatever the data dir holds, then
 * replaces its datastore with the image: the state DB at the image's applied index, and a fresh Raft
 * log whose snapshot is that image and whose configuration is this node alone (node id kept from the
 * data dir, 1 for a new one). Certificates in the data dir are kept; a new data dir gets them on the
 * server's first start, as any first start does.
 */
export async function restoreSnapshot(o: RestoreOptions): Promise<RestoreResult> {
  // Read and validate a private copy: opening the caller's file, even read-only, could leave -wal and
  // -shm files beside it (a snapshot image is a backup of a WAL-mode database).
  if (!existsSync(o.file)) throw new ConfigError(`${o.file}: no such file`);
  const work = mkdtempSync(join(tmpdir(), 'kplane-restore-'));
  try {
    const copy = join(work, 'image.db');
    copyFileSync(o.file, copy);
    return await restoreFrom(copy, o);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function restoreFrom(file: string, o: RestoreOptions): Promise<RestoreResult> {
  const pos = readStatePosition(file, o.file);
  if (pos.schema < 1 || pos.schema > SCHEMA_VERSION) throw new ConfigError(`${o.file}: state schema ${pos.schema}; this kplane reads 1 to ${SCHEMA_VERSION}`);
  const dataDir = resolve(o.dataDir);
  let backup: string | undefined;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    assertOffline(dataDir);
    backup = backupDataDir(dataDir, o.now, o.backupDir);
  }
  const nodeId = readNodeId(dataDir) ?? 1;
  const p = dbPaths(dataDir);
  // The new datastore is built beside the old one and swapped in by a rename, so a crash midway
  // never leaves a state DB without its log (the backup holds the old one either way).
  const staging = join(dataDir, 'db.restoring');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });

  // The state DB: the image, migrated to this version's schema. A copy of a single-node sqlite store
  // has no Raft position (term 0): it starts at term 1 so the log has a real term to begin from.
  const state = join(staging, 'state.db');
  copyFileSync(file, state);
  const image = join(staging, 'restore-image.part');
  let index: number;
  let term: number;
  const db = openDatabase(state, { synchronous: 'FULL' });
  try {
    const m = db.prepare('SELECT applied_index, applied_term FROM meta WHERE id = 1').get() as { applied_index: number; applied_term: number };
    index = Math.max(1, m.applied_index);
    term = Math.max(1, m.applied_term);
    if (index !== m.applied_index || term !== m.applied_term) db.prepare('UPDATE meta SET applied_index = ?, applied_term = ? WHERE id = 1').run(index, term);
    await db.backup(image);
  } finally {
    db.close();
  }
  const listen = o.listen ?? { host: '0.0.0.0', port: 6443 };
  const peer = peerAddress({ advertiseAddress: o.advertiseAddress, peerListen: o.peerListen ?? { host: listen.host, port: listen.port + 1 } });
  try {
    await seedRaftLog({ dir: staging, self: nodeId, peerAddress: peer, domain: o.failureDomain, image, index, term });
  } finally {
    rmSync(image, { force: true });
  }
  writeFileSync(join(staging, 'node-id'), `${nodeId}\n`, { mode: 0o600 });
  // A new cluster: the old one's members, whose certificates this CA still accepts, are refused by id.
  const clusterId = newClusterId();
  writeClusterId(staging, clusterId);

  rmSync(p.dir, { recursive: true, force: true });
  renameSync(staging, p.dir);
  fsyncPath(dataDir);
  recordDatastore(dataDir, 'raftsqlite');
  // The old cluster's members, which a joined node would otherwise keep dialing (the backup has them).
  rmSync(join(pkiPaths(dataDir).dir, 'join-peers.json'), { force: true });
  const pki = pkiPaths(dataDir);
  return { nodeId, index, term, revision: pos.revision, peerAddress: peer, clusterId, backup, credentials: existsSync(pki.caCert), caKey: existsSync(pki.caKey) };
}

