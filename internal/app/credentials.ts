import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { ConfigError } from '../util/index.js';
import { renderKubeconfig } from './kubeconfig.js';
import { type KeyPair, createCA, issueCert } from './pki.js';

/** Where the credentials of a data directory live. */
export function pkiPaths(dataDir: string) {
  const dir = join(dataDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    nodeCert: join(dir, 'node.crt'),
    nodeKey: join(dir, 'node.key'),
    /** The ServiceAccount token signing key (kubeadm's name), the same on every node of a cluster. */
    serviceAccountKey: join(dir, 'sa.key'),
    kubeconfig: join(dataDir, 'kubeconfig'),
    /** The URL other machines reach this node's API by (written at every start; kplane add-node prints it). */
    apiUrl: join(dataDir, 'api-url'),
  };
}

/** This node's Raft certificate and key (client and server, signed by the cluster CA). */
export function readNodeKeyPair(dataDir: string): KeyPair {
  const p = pkiPaths(dataDir);
  return { certPem: readFileSync(p.nodeCert, 'utf8'), keyPem: readFileSync(p.nodeKey, 'utf8') };
}

export interface Credentials {
  ca: KeyPair;
  serving: KeyPair;
  admin: KeyPair;
  /** PEM (PKCS#8) RSA key that signs ServiceAccount tokens. */
  serviceAccountKey: string;
}

/** Reads the ServiceAccount signing key, creating a 2048-bit RSA key (as kubeadm's) when missing. */
export function ensureServiceAccountKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}

/** Options that shape a node's serving certificate. */
export interface ServingOptions {
  advertiseAddress?: string;
  /** Extra names or addresses (--tls-san), e.g. the load balancer's, that clients verify. */
  tlsSans?: string[];
}

/**
 * The names every serving certificate carries, as kubeadm's apiserver certificate does, plus the
 * advertise address and any --tls-san.
 */
export function servingNames(advertiseAddress?: string, tlsSans: readonly string[] = []): { dnsNames: string[]; ips: string[] } {
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname()]);
  const ips = new Set(['127.0.0.1', '::1', '10.96.0.1']);
  for (const name of [advertiseAddress, ...tlsSans]) if (name) (isIp(name) ? ips : dns).add(name);
  return { dnsNames: [...dns], ips: [...ips] };
}

function isIp(name: string): boolean {
  return /^[\d.]+$|:/.test(name);
}

/** Checks --tls-san values: host names or IP addresses, nothing that could smuggle other fields. */
export function validTlsSans(sans: readonly string[]): string[] {
  for (const s of sans) {
    if (!/^(?:[A-Za-z0-9*](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|[0-9.]+|[0-9A-Fa-f:]+)$/.test(s) || s.length > 253) {
      throw new ConfigError(`--tls-san: not a host name or IP address: "${s}"`);
    }
  }
  return [...sans];
}

function read(certPath: string, keyPath: string): KeyPair | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

function write(certPath: string, keyPath: string, kp: KeyPair): KeyPair {
  writeFileSync(keyPath, kp.keyPem, { mode: 0o600 });
  writeFileSync(certPath, kp.certPem, { mode: 0o644 });
  return kp;
}

function coversNames(certPem: string, names: { dnsNames: string[]; ips: string[] }): boolean {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  const have = new Set(san.split(', '));
  return names.dnsNames.every((d) => have.has(`DNS:${d}`)) && names.ips.every((ip) => have.has(`IP Address:${ip === '::1' ? '0:0:0:0:0:0:0:1' : ip}`) || have.has(`IP Address:${ip}`));
}

/**
 * Creates the CA, serving and admin certificates on first start and reuses them afterwards.
 * The serving certificate is reissued (same CA) when the advertise address, a --tls-san or the
 * hostname changed (only on the node holding the CA key; a joined node's names are fixed at join).
 */
export function ensureCredentials(dataDir: string, opts: ServingOptions = {}): Credentials {
  const p = pkiPaths(dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  // A node that joined a cluster holds the CA certificate but not its key (kplane join).
  const joined = existsSync(p.caCert) && !existsSync(p.caKey);
  const ca = joined ? { certPem: readFileSync(p.caCert, 'utf8'), keyPem: '' } : (read(p.caCert, p.caKey) ?? write(p.caCert, p.caKey, createCA()));
  const names = servingNames(opts.advertiseAddress, opts.tlsSans);
  let serving = read(p.servingCert, p.servingKey);
  if (!joined && (!serving || !coversNames(serving.certPem, names))) {
    serving = write(p.servingCert, p.servingKey, issueCert(ca, { subject: { commonName: 'kube-apiserver' }, server: true, keyType: 'ecdsa', ...names }));
  }
  const admin =
    read(p.adminCert, p.adminKey) ??
    write(p.adminCert, p.adminKey, issueCert(ca, { subject: { commonName: 'kubernetes-admin', organizations: ['system:masters'] }, client: true }));
  if (!serving) throw new Error(`${p.servingCert}: missing on a node that joined a cluster`);
  // A node that joined got the cluster's key with its certificates; one that joined before keys were
  // handed out makes its own (its tokens then verify only on itself).
  return { ca, serving, admin, serviceAccountKey: ensureServiceAccountKey(p.serviceAccountKey) };
}

/** Whether ensureCredentials would create or reissue anything (and so load node-forge and sign). */
export function credentialsMissing(dataDir: string, opts: ServingOptions = {}): boolean {
  const p = pkiPaths(dataDir);
  if (!existsSync(p.caCert) || !existsSync(p.adminCert) || !existsSync(p.adminKey)) return true;
  const joined = !existsSync(p.caKey);
  const serving = read(p.servingCert, p.servingKey);
  return !joined && (!serving || !coversNames(serving.certPem, servingNames(opts.advertiseAddress, opts.tlsSans)));
}

/**
 * ensureCredentials for a server start: certificates that must be created are made on a worker
 * thread, so the server never loads node-forge and the garbage of signing (~15 MiB of RSS at idle
 * after a first start) leaves with the worker's heap. Runs in-thread where the worker entry is not
 * built (tests from source).
 */
export async function ensureCredentialsOffThread(dataDir: string, opts: ServingOptions = {}): Promise<Credentials> {
  const entry = new URL('./credentials-worker.js', import.meta.url);
  if (credentialsMissing(dataDir, opts) && existsSync(fileURLToPath(entry))) {
    await new Promise<void>((resolve, reject) => {
      const w = new Worker(entry, { workerData: { dataDir, opts } });
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`credentials worker exited with code ${code}`))));
    });
  }
  return ensureCredentials(dataDir, opts);
}

/** Writes DIR/kubeconfig for the admin user (mode 0600). */
export function writeAdminKubeconfig(dataDir: string, creds: Credentials, server: string): string {
  const text = adminKubeconfig(creds, server);
  writeFileSync(pkiPaths(dataDir).kubeconfig, text, { mode: 0o600 });
  return text;
}

export function adminKubeconfig(creds: Credentials, server: string): string {
  return renderKubeconfig({ server, caPem: creds.ca.certPem, clientCertPem: creds.admin.certPem, clientKeyPem: creds.admin.keyPem });
}
