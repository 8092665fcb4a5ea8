import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pino from 'pino';
import type { RaftSqliteBackend } from '../backends/index.js';
import { ConfigError } from '../util/index.js';
import { readClusterId } from './cluster-id.js';
import { pkiPaths } from './credentials.js';
import { NodeDatastore } from './node-datastore.js';
import type { KeyPair } from './pki.js';
import { openRaftDatastore, type RaftDatastoreOptions } from './raft-datastore.js';

/**
 * Opens the datastore of a node started with a standby limit (RaftDatastoreOptions.standbys): the
 * local replica, or the remote one when db/spare says this node is a spare. Seeds: the join URL.
 */
export function openNodeDatastore(opts: RaftDatastoreOptions, ca: KeyPair, log: pino.Logger): NodeDatastore {
  const dbDir = join(opts.dataDir, 'db');
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const joinUrlFile = join(dbDir, 'join-url');
  if (opts.join && !existsSync(joinUrlFile)) writeFileSync(joinUrlFile, `${opts.join.url}\n`, { mode: 0o600 });
  const seeds = existsSync(joinUrlFile) ? [readFileSync(joinUrlFile, 'utf8').trim()] : [];
  const pki = pkiPaths(opts.dataDir).dir;
  const openLocal = (peers?: Record<string, string>) => {
    // A spare made a standby dials the members it was told about until its configuration names them.
    if (peers && Object.keys(peers).length > 0) writeFileSync(join(pki, 'join-peers.json'), JSON.stringify(peers), { mode: 0o600 });
    return openRaftDatastore(opts, ca, log);
  };
  // The node certificate exists once the node joined (or opened its replica once).
  const nodeCert = () => ({ key: readFileSync(join(pki, 'node.key'), 'utf8'), cert: readFileSync(join(pki, 'node.crt'), 'utf8'), ca: ca.certPem });
  const idFile = join(dbDir, 'node-id');
  const spare = existsSync(join(dbDir, 'spare'));
  if (spare && (!existsSync(idFile) || !existsSync(join(pki, 'node.crt')))) throw new ConfigError(`${dbDir}/spare is set but the node has no id or node certificate; remove the data dir and join again`);
  let first: RaftSqliteBackend | undefined;
  if (!spare) first = openLocal();
  const id = Number(readFileSync(idFile, 'utf8').trim());
  let handed = false;
  return new NodeDatastore({
    id,
    dbDir,
    tls: nodeCert(),
    // The first local open already happened (it creates the node certificate and id of a new node).
    openLocal: (peers) => {
      if (first && !handed) {
        handed = true;
        return first;
      }
      return openLocal(peers);
    },
    seeds,
    log,
    clusterId: readClusterId(dbDir),
  });
}
