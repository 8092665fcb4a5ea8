import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, fsyncPath } from '../util/index.js';
import { certFingerprint } from './pki.js';

// The cluster id: which Raft cluster a data dir's log belongs to. Peers present it in the transport
// handshake and refuse one another when it differs (raftnode/ws-transport.ts), because certificates
// alone cannot tell a new cluster from its past: `kplane recover` and `kplane snapshot restore` keep
// the CA, so an old member started with its old data would otherwise still be let in.
//
// Where each id comes from:
// - a new cluster (the first start of a founding node): random;
// - a node that joins: the cluster's, from the join response;
// - `kplane snapshot restore` and `kplane recover`: a new random one (a new cluster);
// - a data dir from before cluster ids: derived from the cluster CA certificate. Every member of an
//   existing cluster holds the same CA certificate, so each one derives the same id on its own at
//   its first start after the upgrade, with no coordination and whatever the order of restarts.
//   Learning it from the leader instead would let a stale member adopt the new cluster's id, the
//   very thing the id is there to stop. A cluster recovered or restored by this version always has
//   a random id, which no old member can derive.

const FILE = 'cluster-id';
const VALID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const clusterIdPath = (dbDir: string): string => join(dbDir, FILE);

export function newClusterId(): string {
  return randomUUID();
}

/** The id a cluster from before cluster ids gets: the same on every member (they share the CA). */
export function legacyClusterId(caCertPem: string): string {
  const h = createHash('sha256').update(`kplane cluster id\0${certFingerprint(caCertPem)}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function isClusterId(s: unknown): s is string {
  return typeof s === 'string' && VALID.test(s);
}

/** The id recorded in dbDir (the data dir's db/), or undefined when there is none. */
export function readClusterId(dbDir: string): string | undefined {
  const f = clusterIdPath(dbDir);
  if (!existsSync(f)) return undefined;
  const id = readFileSync(f, 'utf8').trim();
  if (!VALID.test(id)) throw new ConfigError(`${f}: not a cluster id ("${id.slice(0, 40)}")`);
  return id;
}

/** Records the id durably: a temp file, fsync, rename, fsync of the folder. */
export function writeClusterId(dbDir: string, id: string): void {
  if (!isClusterId(id)) throw new ConfigError(`not a cluster id: "${id}"`);
  const f = clusterIdPath(dbDir);
  const tmp = `${f}.tmp`;
  writeFileSync(tmp, `${id}\n`, { mode: 0o600 });
  fsyncPath(tmp);
  renameSync(tmp, f);
  fsyncPath(dbDir);
}

/**
 * The node's cluster id at server start, recorded on first use: the one in dbDir; else, for a data
 * dir that already holds a Raft log or joined a cluster (`existing`), the id derived from the CA; else
 * (the founding node of a new cluster) a random one.
 */
export function ensureClusterId(dbDir: string, opts: { caCertPem: string; existing: boolean }): string {
  const have = readClusterId(dbDir);
  if (have) return have;
  const id = opts.existing || existsSync(join(dbDir, 'raft.db')) ? legacyClusterId(opts.caCertPem) : newClusterId();
  writeClusterId(dbDir, id);
  return id;
}

