import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type pino from 'pino';
import { createRaftSqliteBackend, type RaftSqliteBackend } from '../backends/index.js';
import { NODE_GROUP, nodeCommonName } from '../raftnode/index.js';
import { ConfigError } from '../util/index.js';
import { ensureClusterId } from './cluster-id.js';
import { pkiPaths, servingNames } from './credentials.js';
import { joinCluster } from './join.js';
import { parseJoinToken } from './join-token.js';
import { certFingerprint, issueCert, type KeyPair } from './pki.js';

export interface RaftDatastoreOptions {
  dataDir: string;
  /** HOST:PORT the Raft peer listener binds (a worker thread serves it). */
  peerListen: { host: string; port: number };
  advertiseAddress?: string;
  /** Extra serving certificate SANs, sent with a join (the CA node signs them). */
  tlsSans?: string[];
  /** Voters wanted from 3 nodes on. */
  voters?: 3 | 5;
  failureDomain?: string;
  heartbeatMs?: number;
  electionMs?: number;
  /** A voter unreachable this long is replaced by a caught-up standby. Default 30 s. */
  voterGraceMs?: number;
  /**
   * Most standbys; nodes beyond the voters and these become spares (no replica; node-datastore.ts).
   * Unset = no limit (every non-voter replicates). Every node must be started with the same value.
   */
  standbys?: number;
  /** Join an existing cluster through this API URL with a token from `kplane add-node` (first start only). */
  join?: { url: string; token: string };
}

/** True for a listen host that binds every interface (it names no address others can dial). */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * The host other nodes and clients reach this node by, as kube-apiserver picks it: the given
 * --advertise-address, else the first listen host that names one address (a node listening on
 * 127.0.0.1 only must not advertise an address it does not answer on), else the host's first
 * non-internal IPv4 address.
 */
export function advertisedHost(advertiseAddress: string | undefined, ...listenHosts: string[]): string {
  return advertiseAddress ?? listenHosts.find((h) => !isWildcardHost(h)) ?? firstAddress();
}

/** This node's Raft peer address as the other nodes dial it. */
export function peerAddress(opts: Pick<RaftDatastoreOptions, 'advertiseAddress' | 'peerListen'>): string {
  const host = advertisedHost(opts.advertiseAddress, opts.peerListen.host);
  return `https://${host.includes(':') ? `[${host}]` : host}:${opts.peerListen.port}`;
}

/**
 * On the first start with --join: joins through the given node (CSR, token) and writes the
 * certificates and node id into the data dir. Later starts find the node id and rejoin without a
 * token. Must run before the credentials are loaded.
 */
export async function prepareRaftJoin(opts: RaftDatastoreOptions): Promise<void> {
  const idFile = join(opts.dataDir, 'db', 'node-id');
  if (!opts.join) return;
  if (existsSync(idFile)) {
    // A restart may keep its --join flags; a data dir of another cluster must not pass for a member.
    const caCert = pkiPaths(opts.dataDir).caCert;
    if (existsSync(caCert) && certFingerprint(readFileSync(caCert, 'utf8')) !== parseJoinToken(opts.join.token).fingerprint) {
      throw new ConfigError(`${opts.dataDir} holds a node of another cluster (its CA is not the one the join token names): to join ${opts.join.url}, start with an empty --data-dir; to run the old node, start without --join`);
    }
    return;
  }
  if (existsSync(join(opts.dataDir, 'db', 'raft.db'))) throw new ConfigError(`${opts.dataDir} already holds a datastore; --join needs an empty data dir`);
  await joinCluster({
    dataDir: opts.dataDir,
    url: opts.join.url,
    token: opts.join.token,
    peerAddress: peerAddress(opts),
    peerListen: opts.peerListen,
    apiHost: opts.advertiseAddress,
    tlsSans: opts.tlsSans,
    domain: opts.failureDomain,
  });
}

/**
 * Opens the replicated datastore of this node: the first node of a new cluster (node id 1, the
 * founding member), or a node that joined (prepareRaftJoin). The Raft engine runs on a worker thread with its own mutual-TLS peer listener,
 * using a node certificate signed by the cluster CA (pki/node.crt).
 */
export function openRaftDatastore(opts: RaftDatastoreOptions, ca: KeyPair, log: pino.Logger): RaftSqliteBackend {
  const dbDir = join(opts.dataDir, 'db');
  mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const idFile = join(dbDir, 'node-id');
  if (!existsSync(idFile)) writeFileSync(idFile, '1\n', { mode: 0o600 });
  const nodeId = Number(readFileSync(idFile, 'utf8').trim());
  if (!Number.isSafeInteger(nodeId) || nodeId <= 0) throw new ConfigError(`${idFile}: not a node id`);
  const host = advertisedHost(opts.advertiseAddress, opts.peerListen.host);
  const cert = ensureNodeCert(opts.dataDir, ca, nodeId, host);
  const peer = peerAddress(opts);
  // A node that joined starts with an empty log and learns the configuration from the leader; it
  // only needs the members' addresses to answer before the first snapshot arrives.
  const joinPeers = join(pkiPaths(opts.dataDir).dir, 'join-peers.json');
  const joined = existsSync(joinPeers);
  const peers = joined ? new Map(Object.entries(JSON.parse(readFileSync(joinPeers, 'utf8')) as Record<string, string>).map(([id, a]) => [Number(id), a] as [number, string])) : undefined;
  const heartbeatMs = opts.heartbeatMs ?? 100;
  const electionMs = opts.electionMs ?? 1000;
  if (electionMs < 2 * heartbeatMs) throw new ConfigError('--election-timeout must be at least twice --heartbeat-interval');
  return createRaftSqliteBackend({
    dataDir: dbDir,
    nodeId,
    // Peers of another cluster (an old member after a recover or restore) are refused in the handshake.
    worker: { tls: { key: cert.keyPem, cert: cert.certPem, ca: ca.certPem }, listen: opts.peerListen, clusterId: ensureClusterId(dbDir, { caCertPem: ca.certPem, existing: joined }) },
    bootstrap: joined ? undefined : new Map([[nodeId, peer]]),
    domain: opts.failureDomain,
    peers,
    raft: { tickMs: heartbeatMs, electionTicks: Math.max(2, Math.round(electionMs / heartbeatMs)), roles: { voters: opts.voters ?? 3, graceMs: opts.voterGraceMs ?? 30_000, standbys: opts.standbys } },
    logger: { info: (msg, fields) => log.info(fields ?? {}, msg), warn: (msg, fields) => log.warn(fields ?? {}, msg) },
  });
}

/** The node certificate: client and server, CN kplane-node-<id>, O kplane:nodes, the serving names plus `host`. */
function ensureNodeCert(dataDir: string, ca: KeyPair, id: number, host: string): KeyPair {
  const dir = pkiPaths(dataDir).dir;
  const certPath = join(dir, 'node.crt');
  const keyPath = join(dir, 'node.key');
  const names = servingNames(host);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const kp = { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
    const x = new X509Certificate(kp.certPem);
    if (x.subject.includes(`CN=${nodeCommonName(id)}`) && (x.subjectAltName ?? '').includes(host)) return kp;
  }
  if (!ca.keyPem) throw new ConfigError('this node has no node certificate and no CA key to issue one');
  const kp = issueCert(ca, { subject: { commonName: nodeCommonName(id), organizations: [NODE_GROUP] }, client: true, server: true, ...names });
  writeFileSync(keyPath, kp.keyPem, { mode: 0o600 });
  writeFileSync(certPath, kp.certPem, { mode: 0o644 });
  return kp;
}

function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}
