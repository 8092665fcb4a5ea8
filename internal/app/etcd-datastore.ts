import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pino from 'pino';
import { createEtcdBackend, type EtcdBackend } from '../backends/index.js';
import { isStorageError } from '../storage/index.js';
import { ConfigError } from '../util/index.js';
import { pkiPaths } from './credentials.js';

/** How this node reaches etcd (the --etcd-* flags), remembered in the data dir (db/etcd.json). */
export interface EtcdSettings {
  servers: string[];
  prefix: string;
  cafile?: string;
  certfile?: string;
  keyfile?: string;
}

function settingsPath(dataDir: string): string {
  return join(dataDir, 'db', 'etcd.json');
}

/**
 * The etcd settings of this start: the flags given, else the ones the data dir recorded. The
 * servers and TLS files may change between starts (members replaced, certificates renewed); the
 * prefix may not, since the cluster's objects live under it.
 */
export function resolveEtcdSettings(dataDir: string, given: Partial<EtcdSettings>): EtcdSettings {
  const p = settingsPath(dataDir);
  const had = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as EtcdSettings) : undefined;
  if (had && given.prefix !== undefined && given.prefix !== had.prefix) {
    throw new ConfigError(`${dataDir} uses --etcd-prefix ${had.prefix}; it cannot change to ${given.prefix} (the cluster's objects are under the old one)`);
  }
  const servers = given.servers?.length ? given.servers : had?.servers;
  if (!servers?.length) throw new ConfigError('--datastore etcd needs --etcd-servers (comma-separated client URLs, e.g. https://10.0.0.1:2379,https://10.0.0.2:2379)');
  for (const s of servers) {
    if (!/^https?:\/\/[^/\s]+:\d+\/?$/.test(s)) throw new ConfigError(`--etcd-servers: not an http(s)://host:port URL: "${s}"`);
  }
  const settings: EtcdSettings = {
    servers,
    prefix: given.prefix ?? had?.prefix ?? '/registry',
    cafile: given.cafile ?? had?.cafile,
    certfile: given.certfile ?? had?.certfile,
    keyfile: given.keyfile ?? had?.keyfile,
  };
  if (!settings.prefix.startsWith('/')) throw new ConfigError(`--etcd-prefix must start with "/", got "${settings.prefix}"`);
  if (!settings.certfile !== !settings.keyfile) throw new ConfigError('--etcd-certfile and --etcd-keyfile go together');
  for (const f of [settings.cafile, settings.certfile, settings.keyfile]) if (f && !existsSync(f)) throw new ConfigError(`etcd TLS file not found: ${f}`);
  writeFileSync(p, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  return settings;
}

export async function openEtcdDatastore(s: EtcdSettings, log: pino.Logger, nodeName: string): Promise<EtcdBackend> {
  const file = (f?: string) => (f ? readFileSync(f) : undefined);
  const backend = await createEtcdBackend({
    endpoints: s.servers,
    prefix: s.prefix,
    tls: { ca: file(s.cafile), cert: file(s.certfile), key: file(s.keyfile) },
    nodeName,
    log: (msg, err) => log.warn({ err }, msg),
    onHealthChange: (endpoint, healthy, why) => (healthy ? log.info({ endpoint }, 'etcd member is back') : log.warn({ endpoint, why }, 'etcd member unavailable')),
  });
  if (!backend.ready()) log.warn({ servers: s.servers }, 'no etcd member answers yet; the API answers 503 until one does');
  return backend;
}

/** Where the cluster CA is kept in etcd, so every kplane on the same etcd and prefix signs with it. */
export const CLUSTER_CA_KEY = '/registry/kplane/pki/ca';

/**
 * Several kplane nodes on one etcd are active-active API servers of one cluster: they need one CA.
 * The first node to start publishes its CA to etcd (create-if-absent); a node with a fresh data dir
 * adopts the one it finds there, and its serving and admin certificates are then issued by it. A
 * data dir whose CA differs from the cluster's is refused. Anyone who can write to etcd already
 * controls the cluster (every Secret and RBAC object is there), so the CA key there adds no trust.
 * `ensure` creates whatever credentials the data dir lacks (ensureCredentialsOffThread).
 */
export async function syncClusterCa<C>(backend: EtcdBackend, dataDir: string, ensure: () => Promise<C>): Promise<C> {
  const p = pkiPaths(dataDir);
  const hadCa = existsSync(p.caCert) && existsSync(p.caKey);
  await adoptClusterCa(backend, dataDir);
  const creds = await ensure();
  if (await publishClusterCa(backend, dataDir)) return creds;
  // Another node published first; a CA made by this very start gives way to it.
  if (!hadCa) {
    for (const f of [p.caCert, p.caKey, p.servingCert, p.servingKey, p.adminCert, p.adminKey, p.serviceAccountKey]) rmSync(f, { force: true });
    await adoptClusterCa(backend, dataDir);
    return ensure();
  }
  await adoptClusterCa(backend, dataDir);
  return creds;
}

/** Copies the cluster's CA from etcd into a data dir that has none; refuses a different one. */
async function adoptClusterCa(backend: EtcdBackend, dataDir: string): Promise<void> {
  const p = pkiPaths(dataDir);
  const local = existsSync(p.caCert) && existsSync(p.caKey) ? readFileSync(p.caCert, 'utf8') : undefined;
  const stored = await retryUnavailable(() => backend.get(CLUSTER_CA_KEY));
  if (!stored.kv) return;
  // saKey: the ServiceAccount token signing key, shared like the CA so every node verifies every token.
  const shared = JSON.parse(Buffer.from(stored.kv.value).toString()) as { cert: string; key: string; saKey?: string };
  if (local !== undefined && shared.cert !== local) {
    throw new ConfigError(`${p.caCert} is not the CA of the cluster in etcd (another cluster's data dir, or another --etcd-prefix?); use a new --data-dir to join this cluster`);
  }
  if (local === undefined) {
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    for (const f of [p.servingCert, p.servingKey, p.adminCert, p.adminKey]) rmSync(f, { force: true });
    writeFileSync(p.caKey, shared.key, { mode: 0o600 });
    writeFileSync(p.caCert, shared.cert, { mode: 0o644 });
  }
  if (shared.saKey && !existsSync(p.serviceAccountKey)) writeFileSync(p.serviceAccountKey, shared.saKey, { mode: 0o600 });
}

/** Publishes this data dir's CA unless the cluster has one; false when it already had one. */
async function publishClusterCa(backend: EtcdBackend, dataDir: string): Promise<boolean> {
  const p = pkiPaths(dataDir);
  const saKey = existsSync(p.serviceAccountKey) ? readFileSync(p.serviceAccountKey, 'utf8') : undefined;
  const value = Buffer.from(JSON.stringify({ cert: readFileSync(p.caCert, 'utf8'), key: readFileSync(p.caKey, 'utf8'), ...(saKey ? { saKey } : {}) }));
  try {
    await retryUnavailable(() => backend.create(CLUSTER_CA_KEY, value));
    return true;
  } catch (err) {
    if (isStorageError(err, 'KeyExists')) return false;
    throw err;
  }
}

/** etcd may still be electing a leader when kplane starts: wait for it (about a minute at most). */
async function retryUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 30 || !isStorageError(err, 'Unavailable')) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
