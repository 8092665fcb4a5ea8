import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../apiserver/index.js';
import type { RaftSqliteBackend } from '../backends/index.js';
import { NODE_GROUP, nodeCommonName, type RaftNodeStatus } from '../raftnode/index.js';
import { ConfigError } from '../util/index.js';
import { isClusterId, readClusterId, writeClusterId } from './cluster-id.js';
import type { ClusterStatus } from './cluster-status.js';
import { PLUGINS_PATH, type PluginsStatus } from './plugin-status.js';
import { pkiPaths, readNodeKeyPair, servingNames, validTlsSans } from './credentials.js';
import { adminCall, serverFromKubeconfig } from './admin-call.js';
import { consumeJoinToken, parseJoinToken, validJoinToken, type JoinTokenStore } from './join-token.js';
import { readNodeDirectory, recordJoin } from './node-datastore.js';
import { JoinProbeError, probeJoiner, serveJoinProbe } from './join-probe.js';
import { certFingerprint, createCsr, createEcKey, isEcP256Key, signCsr, signEcPublicKey, type KeyPair } from './pki.js';

export { createJoinToken } from './join-token.js';
export { serverFromKubeconfig } from './admin-call.js';

export const JOIN_CA_PATH = '/kplane/join/ca';
export const JOIN_PATH = '/kplane/join';
export const STATUS_PATH = '/kplane/status';
export const LEAVE_PATH = '/kplane/leave';
export const SNAPSHOT_PATH = '/kplane/snapshot';
/**
 * The API server's authenticator plus anonymous access to the two join endpoints (the joining node
 * has no certificate yet; the token in the body authenticates it).
 */
const callers = new WeakMap<object, { name: string; groups: string[] }>();

export function withJoinEndpoints(base: Authenticator): Authenticator {
  return async (req) => {
    const user = await base(req);
    if (user) callers.set(req, user);
    if (user) return user;
    const path = req.url.split('?')[0];
    return path === JOIN_CA_PATH || path === JOIN_PATH ? { name: 'system:anonymous', groups: ['system:unauthenticated'] } : null;
  };
}

interface JoinRequest {
  token: string;
  csr: string;
  /** https://HOST:PORT of the new node's Raft peer listener. */
  peerAddress: string;
  /** Host names or IPs the new node's API is reached by (serving certificate SANs). */
  apiHost?: string;
  /** Extra serving certificate SANs (the joiner's --tls-san). */
  tlsSans?: string[];
  domain?: string;
  /**
   * The new node's serving key (ECDSA P-256 public key, PEM): its serving certificate is for this
   * key, not the CSR's RSA one (see createEcKey). Absent from older joiners: then the CSR's key.
   */
  servingPublicKey?: string;
}

export interface JoinResponse {
  nodeId: number;
  caCert: string;
  nodeCert: string;
  servingCert: string;
  adminCert: string;
  /** The cluster's ServiceAccount signing key (PEM), so every node signs and verifies the same tokens. */
  serviceAccountKey?: string;
  /** Peer addresses of the current members, to dial before the first snapshot arrives. */
  members: Record<string, string>;
  /** The cluster's id (absent from a kplane before cluster ids: the joiner then derives it from the CA as its members do). */
  clusterId?: string;
  /** 'spare': recorded with no replica (the joiner starts serving through a member). Absent = standby. */
  role?: 'standby' | 'spare';
  /** The members' API URLs by node id: where a spare serves through (the signer may be a spare itself). */
  apis?: Record<string, string>;
}

/**
 * Cluster endpoints on the API server: the CA certificate and the join (token + CSR → node id and
 * certificates, the node added as a standby through the Raft log), and the node status.
 */
export function registerClusterRoutes(
  app: FastifyInstance,
  opts: { dataDir: string; ca: KeyPair; backend: RaftSqliteBackend; tokens: JoinTokenStore; joinRole?: (st: RaftNodeStatus) => 'standby' | 'spare' },
): void {
  let joining: Promise<unknown> = Promise.resolve();
  // The last id handed out: the status of a worker engine lags by a tick, so two joins in a row
  // could otherwise both see the same highest id.
  let lastId = 0;
  // Written when the datastore opened and fixed while the server runs (recover and restore are offline).
  let id: string | undefined;
  const clusterId = () => (id ??= readClusterId(join(opts.dataDir, 'db')));
  // `now` lets a joiner see a clock far off before it gets certificates it could not use.
  app.get(JOIN_CA_PATH, async () => ({ caCert: opts.ca.certPem, now: Date.now() }));
  app.get(STATUS_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    const st = opts.backend.node.status();
    const body: ClusterStatus = { ...st, ready: opts.backend.status.ready(), ...opts.backend.status.stats(), clusterId: clusterId() };
    return reply.send(body);
  });
  app.post(LEAVE_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    if (!callers.get(req)?.groups.includes('system:masters')) return reply.code(403).send({ message: 'leave needs an admin (system:masters) certificate' });
    try {
      return reply.send(await leave(opts.backend));
    } catch (err) {
      return reply.code(409).send({ message: (err as Error).message });
    }
  });
  app.post(SNAPSHOT_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    if (!callers.get(req)?.groups.includes('system:masters')) return reply.code(403).send({ message: 'snapshots need an admin (system:masters) certificate' });
    try {
      const index = await opts.backend.node.takeSnapshot();
      const file = join(opts.dataDir, 'db', 'snapshots', `snap-${String(index).padStart(16, '0')}.db`);
      return reply.send({ index, file });
    } catch (err) {
      return reply.code(503).send({ message: `snapshot failed: ${(err as Error).message}` });
    }
  });
  app.post(JOIN_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
    let body: Partial<JoinRequest> | undefined;
    try {
      // The API server hands every body over as bytes (it negotiates content types itself).
      body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : String(req.body ?? '')) as Partial<JoinRequest>;
    } catch {
      return reply.code(400).send({ message: 'the join request must be JSON' });
    }
    if (!body?.token || !body.csr || !body.peerAddress) return reply.code(400).send({ message: 'token, csr and peerAddress are required' });
    if (body.servingPublicKey !== undefined && (typeof body.servingPublicKey !== 'string' || !isEcP256Key(body.servingPublicKey))) {
      return reply.code(400).send({ message: 'servingPublicKey must be an ECDSA P-256 public key (PEM)' });
    }
    if (!opts.ca.keyPem) {
      // Joins reach any node (e.g. through the load balancer): name the members' API URLs so the
      // joiner can take its request to the node holding the CA key. The token is untouched here.
      return reply.code(409).send({ message: 'this node holds no CA key; join through the first node of the cluster', signers: await memberApiUrls(opts.backend) });
    }
    let token: ReturnType<typeof parseJoinToken>;
    try {
      token = parseJoinToken(body.token);
    } catch (err) {
      return reply.code(400).send({ message: (err as Error).message });
    }
    const refused = { message: 'join token unknown, expired or already used: print a new one with kplane add-node' };
    if (!(await validJoinToken(opts.tokens, token, Date.now()))) return reply.code(403).send(refused);
    // The cluster must reach the joiner before it becomes a member; the token stays valid for a retry.
    try {
      await probeJoiner(body.peerAddress, body.csr, readNodeKeyPair(opts.dataDir));
    } catch (err) {
      if (!(err instanceof JoinProbeError)) throw err;
      return reply.code(400).send({ message: `${err.message}. Start the new node with --advertise-address set to an address of it that this cluster can reach (and --peer-listen on that address, if set); the token was not used, so the same command can be run again`, reason: 'Unreachable' });
    }
    if (!(await consumeJoinToken(opts.tokens, token, Date.now()))) return reply.code(403).send(refused);
    // One join at a time: node ids come from the current membership.
    const run = joining.then(async () => {
      const res = await admit(opts, body as JoinRequest, clusterId(), lastId);
      lastId = res.nodeId;
      return res;
    });
    joining = run.catch(() => undefined);
    try {
      return reply.send(await run);
    } catch (err) {
      return reply.code(503).send({ message: `join failed: ${(err as Error).message}` });
    }
  });
}

/** The API URLs members published in the replicated directory; none when it cannot be read. */
async function memberApiUrls(backend: RaftSqliteBackend): Promise<string[]> {
  return [...(await readNodeDirectory(backend, backend.node.status()).catch(() => new Map<number, string>())).values()];
}

async function admit(opts: { dataDir: string; ca: KeyPair; backend: RaftSqliteBackend; joinRole?: (st: RaftNodeStatus) => 'standby' | 'spare' }, body: JoinRequest, clusterId: string | undefined, lastId = 0): Promise<JoinResponse> {
  const st = opts.backend.node.status();
  const ids = [lastId, ...st.voters, ...st.learners, ...Object.keys(st.members).map(Number), ...Object.keys(st.spares ?? {}).map(Number)];
  const nodeId = Math.max(0, ...ids) + 1;
  const peerHost = new URL(body.peerAddress).hostname.replace(/^\[|\]$/g, '');
  const apiHost = body.apiHost ?? peerHost;
  const nodeNames = servingNames(peerHost);
  const nodeCert = signCsr(opts.ca, body.csr, { subject: { commonName: nodeCommonName(nodeId), organizations: [NODE_GROUP] }, client: true, server: true, ...nodeNames });
  const serving = { subject: { commonName: 'kube-apiserver' }, server: true, ...servingNames(apiHost, validTlsSans(Array.isArray(body.tlsSans) ? body.tlsSans.map(String) : [])) };
  const servingCert = body.servingPublicKey ? signEcPublicKey(opts.ca, body.servingPublicKey, serving) : signCsr(opts.ca, body.csr, serving);
  const adminCert = signCsr(opts.ca, body.csr, { subject: { commonName: 'kubernetes-admin', organizations: ['system:masters'] }, client: true });
  // Beyond the voters and the standby limit a node joins as a spare: recorded in the log, no replica.
  const role = opts.joinRole?.(st) ?? 'standby';
  await recordJoin(opts.backend.node, { nodeId, role, address: body.peerAddress, ...(body.domain ? { domain: body.domain } : {}) });
  // The change is applied; a worker engine's status shows it a tick later (the next join's id and
  // role, and the members sent back, come from that status).
  for (let i = 0; i < 50; i++) {
    const now = opts.backend.node.status();
    if (now.learners.includes(nodeId) || now.voters.includes(nodeId) || now.spares?.[String(nodeId)] !== undefined) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const after = opts.backend.node.status();
  const apis = Object.fromEntries(await readNodeDirectory(opts.backend, after).catch(() => new Map<number, string>()));
  const saKey = pkiPaths(opts.dataDir).serviceAccountKey;
  const serviceAccountKey = existsSync(saKey) ? readFileSync(saKey, 'utf8') : undefined;
  return { nodeId, caCert: opts.ca.certPem, nodeCert, servingCert, adminCert, ...(serviceAccountKey ? { serviceAccountKey } : {}), members: after.members, clusterId, role, apis };
}

/**
 * Graceful removal of this node (`kplane leave`): a leader first hands leadership to its most
 * caught-up voter, then the removal goes through the log; the role manager promotes a standby if
 * voters are now short. The caller stops the server afterwards.
 */
async function leave(backend: RaftSqliteBackend): Promise<{ removed: number; leader: number }> {
  const node = backend.node;
  const st = node.status();
  if (st.voters.length === 1 && st.voters[0] === node.id) throw new Error('the last voter cannot leave the cluster');
  if (node.isLeader()) {
    const others = Object.entries(st.progress ?? {}).filter(([id, p]) => Number(id) !== node.id && st.voters.includes(Number(id)) && p.recentActive);
    others.sort((a, b) => b[1].match - a[1].match);
    if (others.length === 0) throw new Error('no other voter is reachable to take over leadership');
    node.transferLeadership(Number(others[0]![0]));
    for (let i = 0; i < 60 && node.isLeader(); i++) await new Promise((r) => setTimeout(r, 50));
    if (node.isLeader()) throw new Error('leadership transfer did not complete; try again');
  }
  await node.waitForLeader(5000);
  await node.changeMembership({ type: 'removeNode', nodeId: node.id }, undefined, 10_000).catch((err: Error) => {
    // The removed node may never learn that its removal committed: check with the configuration it has.
    if (node.status().voters.includes(node.id) || node.status().learners.includes(node.id)) throw err;
  });
  return { removed: node.id, leader: node.leaderId };
}

/**
 * The joining side (kplane server --join URL --token T): fetches the cluster CA and checks it against
 * the token's fingerprint before sending anything secret, then sends a CSR (the private key never
 * leaves this machine) and writes the certificates and node id into the data dir.
 */
export async function joinCluster(opts: {
  dataDir: string;
  url: string;
  token: string;
  peerAddress: string;
  /** Where this node's Raft listener will bind: served during the join so the cluster can prove it reaches peerAddress. */
  peerListen?: { host: string; port: number };
  apiHost?: string;
  tlsSans?: string[];
  domain?: string;
  /** This machine's clock (tests give it an offset). */
  clock?: () => number;
}): Promise<JoinResponse> {
  const { fingerprint } = parseJoinToken(opts.token);
  const { caCert, now } = (await call(opts.url, 'GET', JOIN_CA_PATH, undefined, undefined).catch((err: unknown) => {
    if (err instanceof CallError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`cannot reach the cluster at ${opts.url} (--join): ${e.code ?? e.message}. Check the URL (kplane add-node prints it) and that the node there runs and is reachable from this machine`);
  })) as { caCert: string; now?: number };
  if (certFingerprint(caCert) !== fingerprint) throw new ConfigError(`the cluster at ${opts.url} has another CA than the token names; refusing to join`);
  const skew = clockSkewError(now, (opts.clock ?? Date.now)(), opts.url);
  if (skew) throw new ConfigError(skew);
  const { csrPem, keyPem } = createCsr({ commonName: 'kplane-join' });
  const servingKey = createEcKey();
  const request = { token: opts.token, csr: csrPem, peerAddress: opts.peerAddress, apiHost: opts.apiHost, tlsSans: opts.tlsSans, domain: opts.domain, servingPublicKey: servingKey.publicKeyPem };
  const probe = opts.peerListen ? await serveJoinProbe(opts.peerListen, keyPem, caCert) : undefined;
  let res: JoinResponse;
  try {
    res = (await postJoin(opts.url, caCert, request)) as JoinResponse;
  } catch (err) {
    // The cluster's own words (an unreachable address, a used token) are the message; not the HTTP dump.
    const said = err instanceof CallError ? (err.body as { message?: unknown } | undefined)?.message : undefined;
    throw typeof said === 'string' ? new ConfigError(`join refused by ${opts.url}: ${said}`) : err;
  } finally {
    await probe?.close();
  }
  const p = pkiPaths(opts.dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const put = (name: string, text: string, mode: number) => writeFileSync(join(p.dir, name), text, { mode });
  put('ca.crt', res.caCert, 0o644);
  put('node.crt', res.nodeCert, 0o644);
  put('node.key', keyPem, 0o600);
  put('apiserver.crt', res.servingCert, 0o644);
  // A cluster that predates servingPublicKey signed the CSR's key for serving as well.
  put('apiserver.key', sameKey(res.servingCert, servingKey.publicKeyPem) ? servingKey.keyPem : keyPem, 0o600);
  put('admin.crt', res.adminCert, 0o644);
  put('admin.key', keyPem, 0o600);
  if (res.serviceAccountKey) put('sa.key', res.serviceAccountKey, 0o600);
  writeFileSync(join(p.dir, 'join-peers.json'), JSON.stringify(res.members), { mode: 0o600 });
  const db = join(opts.dataDir, 'db');
  mkdirSync(db, { recursive: true, mode: 0o700 });
  writeFileSync(join(db, 'node-id'), `${res.nodeId}\n`, { mode: 0o600 });
  // A spare opens no replica: the node datastore starts serving through a member (node-datastore.ts).
  if (res.role === 'spare') writeFileSync(join(db, 'spare'), 'spare\n', { mode: 0o600 });
  // The members' API directory, so a spare finds a member even when the node that signed is a spare.
  if (res.apis && Object.keys(res.apis).length > 0) writeFileSync(join(db, 'member-apis.json'), JSON.stringify(res.apis), { mode: 0o600 });
  if (isClusterId(res.clusterId)) writeClusterId(db, res.clusterId);
  return res;
}

/** Whether the certificate is for the given public key (PEM). */
function sameKey(certPem: string, publicKeyPem: string): boolean {
  return new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString() === publicKeyPem;
}

/** Certificates are valid from 5 minutes before they are issued: a larger offset breaks them. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The error for a clock too far from the cluster's (`clusterNow` from the join CA endpoint), or undefined. */
export function clockSkewError(clusterNow: number | undefined, localNow: number, url: string): string | undefined {
  if (clusterNow === undefined || Math.abs(localNow - clusterNow) <= MAX_CLOCK_SKEW_MS) return undefined;
  const mins = Math.round(Math.abs(localNow - clusterNow) / 60_000);
  const way = localNow < clusterNow ? 'behind' : 'ahead of';
  return `this machine's clock is ${mins} minutes ${way} the cluster's (${url}): its certificates would be rejected as not yet valid or expired. Set the clock (for example with NTP) and start again`;
}

/**
 * POSTs the join to `url`; a node without the CA key answers 409 with the members' API URLs, and
 * the request goes to each of them in turn (same CA, pinned) until one signs it. Only the node
 * holding the CA key consumes the token, so trying several is safe.
 */
async function postJoin(url: string, caCert: string, request: unknown): Promise<unknown> {
  try {
    return await call(url, 'POST', JOIN_PATH, caCert, request);
  } catch (err) {
    const signers = err instanceof CallError && err.status === 409 ? (err.body as { signers?: unknown } | undefined)?.signers : undefined;
    if (!Array.isArray(signers)) throw err;
    let last = err;
    for (const other of signers.filter((u): u is string => typeof u === 'string' && u !== url)) {
      try {
        return await call(other, 'POST', JOIN_PATH, caCert, request);
      } catch (e) {
        if (!(e instanceof CallError && e.status === 409)) throw e;
        last = e;
      }
    }
    throw last;
  }
}

/** An HTTP error answer of a cluster endpoint: its status and parsed JSON body, if any. */
class CallError extends ConfigError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

function call(base: string, method: 'GET' | 'POST', path: string, ca: string | undefined, body: unknown): Promise<unknown> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, base),
      {
        method,
        // The CA is not known before the first call; its fingerprint is checked against the token.
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            return reject(new CallError(`${method} ${new URL(path, base).href}: HTTP ${res.statusCode}: ${text}`, res.statusCode ?? 500, parsed));
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`${method} ${path}: not JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * GET /kplane/status of the server whose data dir is given, as its admin (`kplane status`). The
 * server URL comes from DATA_DIR/kubeconfig unless given.
 */
export function fetchClusterStatus(dataDir: string, server?: string): Promise<ClusterStatus> {
  return adminCall<ClusterStatus>(dataDir, server, 'GET', STATUS_PATH);
}

/** GET /kplane/plugins (this node's plugins and who holds each plugin Lease) for `kplane status`. */
export function fetchPluginsStatus(dataDir: string, server?: string): Promise<PluginsStatus> {
  return adminCall<PluginsStatus>(dataDir, server, 'GET', PLUGINS_PATH);
}

/** POST /kplane/snapshot on the local server: a fresh snapshot image and its path (`kplane snapshot save`). */
export function requestSnapshot(dataDir: string, server?: string): Promise<Record<string, unknown>> {
  return adminCall(dataDir, server, 'POST', SNAPSHOT_PATH);
}

/** POST /kplane/leave on the local server (`kplane leave`). */
export function requestLeave(dataDir: string, server?: string): Promise<Record<string, unknown>> {
  return adminCall(dataDir, server, 'POST', LEAVE_PATH);
}

/**
 * The URL a new machine joins through: the one this node advertises (written by the server at every
 * start), else the admin kubeconfig's (a loopback URL when the server binds every interface).
 */
export function joinUrl(dataDir: string): string {
  const p = pkiPaths(dataDir);
  return existsSync(p.apiUrl) ? readFileSync(p.apiUrl, 'utf8').trim() : serverFromKubeconfig(p.kubeconfig);
}
