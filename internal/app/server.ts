import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type ApiServerLimits, type Auditor, auditedHandler, createApiServer, parsePolicy, RotatingFile, createOpenApiService, listen, parseTokenFile, registerOpenApiRoutes, requestAuthenticator, tokenFileAuthenticator, type TokenAuthenticator } from '../apiserver/index.js';
import { createMemoryBackend, createSqliteBackend, type EtcdBackend, registerBackendService, serveBackend, type RaftSqliteBackend } from '../backends/index.js';
import { joinRole, type RaftNodeStatus } from '../raftnode/index.js';
import {
  builtinAdmission,
  builtinDefinitions,
  type PodTolerationSeconds,
  createAuthorization,
  createRegistry,
  createServiceAllocator,
  DEFAULT_ISSUER,
  resourcePrefix,
  reviewDefinitions,
  ServiceAccountTokens,
  serviceAccountTokenAuthenticator,
  bootstrapTokenAuthenticator,
  legacyServiceAccountTokenAuthenticator,
  type LegacyClaims,
  tokenRequestSubresource,
  type AuthorizationMode,
  type Handler,
  type ObjectLookup,
  componentStatusDefinition,
} from '../registry/index.js';
import { type Backend, createObjectStore, createWatchCacheRouter, encryptingCodec, jsonCodec, parseEncryptionConfig } from '../storage/index.js';
import { parse as parseYaml } from 'yaml';
import { bootstrap } from './bootstrap.js';
import { unreachablePeers } from './cluster-status.js';
import { type DatastoreKind, recordDatastore, resolveDatastore } from './datastore.js';
import { ensureCredentialsOffThread, pkiPaths, writeAdminKubeconfig } from './credentials.js';
import { checkListenFree, listenError } from './listen-check.js';
import type { KeyPair } from './pki.js';
import { JOIN_CA_PATH, JOIN_PATH, registerClusterRoutes, withJoinEndpoints } from './join.js';
import { handlerJoinTokens } from './join-token.js';
import { BACKEND_PATH } from '../backends/index.js';
import { NodeDatastore } from './node-datastore.js';
import { openNodeDatastore } from './open-node-datastore.js';
import { type EtcdSettings, openEtcdDatastore, resolveEtcdSettings, syncClusterCa } from './etcd-datastore.js';
import { advertisedHost, isWildcardHost, openRaftDatastore, peerAddress, prepareRaftJoin, type RaftDatastoreOptions } from './raft-datastore.js';
import { ipAddressReservations, nodePortReservations, serviceCIDRRanges, startServiceAllocationRepair } from './service-ips.js';
import { versionInfo } from './version.js';
import { isApiError, type KubeObject } from '../api/index.js';
import { ConfigError } from '../util/index.js';
import { DEFAULT_TIMINGS, validateTimings, type LeaseTimings } from '../leaderelection/index.js';
import { PluginHost, selectPlugins } from '../plugin/index.js';
import { builtinPlugins, CSR_SIGNING, type BuiltinPluginOptions } from '../../plugins/index.js';
import { caCsrSigner } from './csr-signer.js';
import { crdPlugin } from './crd-plugin.js';
import { servedResources } from './served-resources.js';
import { claimNodeName } from './node-name.js';
import { pluginReadyLines, registerPluginStatus } from './plugin-status.js';
import { componentProbe, readLease } from './component-status.js';
import { createClient } from '../client/index.js';

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  advertiseAddress?: string;
  /** Extra names or addresses for the serving certificate (--tls-san), e.g. a load balancer's. */
  tlsSans?: string[];
  /** Unset: the data dir's store, or raftsqlite for a new one (datastore.ts). */
  datastore?: DatastoreKind;
  /** etcd only: the --etcd-* flags (unset ones: what the data dir recorded; see etcd-datastore.ts). */
  etcd?: Partial<EtcdSettings>;
  /** raftsqlite only: the Raft peer listener and timing (see raft-datastore.ts). */
  raft?: Omit<RaftDatastoreOptions, 'dataDir' | 'advertiseAddress' | 'tlsSans' | 'peerListen'> & { peerListen?: RaftDatastoreOptions['peerListen'] };
  logLevel?: string;
  /** This node's name in Lease holder identities, status and logs (default: the host name). */
  nodeName?: string;
  /** --plugins: undefined = every built-in plugin enabled by default; ['none'] = none. */
  plugins?: string[];
  /** Leader election timings of leader plugins (default 15 s / 10 s / 2 s). */
  leaderElection?: LeaseTimings;
  /** Settings of built-in plugins (--hollow-nodes, --node-monitor-grace-period, ...). */
  pluginOptions?: BuiltinPluginOptions;
  /** --authorization-mode; default RBAC then Node (system:masters is always allowed). */
  authorizationModes?: AuthorizationMode[];
  /** --token-auth-file: static bearer tokens (token,user,uid,"groups"). */
  tokenAuthFile?: string;
  /** --anonymous-auth; default true (anonymous callers are then authorized as system:anonymous). */
  anonymousAuth?: boolean;
  /** --service-account-issuer; default https://kubernetes.default.svc.cluster.local. */
  serviceAccountIssuer?: string;
  /** --encryption-provider-config: an EncryptionConfiguration file (YAML or JSON). */
  encryptionProviderConfig?: string;
  /** --default-not-ready-toleration-seconds, --default-unreachable-toleration-seconds (300 each). */
  podTolerationSeconds?: PodTolerationSeconds;
  /** --max-requests-inflight, --max-mutating-requests-inflight, --request-timeout and the other API limits. */
  apiLimits?: ApiServerLimits;
  /** --audit-policy-file, --audit-log-path ('-' = stdout), --audit-log-maxsize (MB, 0 = never rotate), --audit-log-maxbackup (0 = keep all). */
  audit?: { policyFile?: string; logPath?: string; maxSizeMB?: number; maxBackups?: number };
}

export interface RunningServer {
  /** The bound address (port 0 resolves to the real port). */
  url: string;
  port: number;
  log: pino.Logger;
  /** Stops accepting, ends watches, stops background work, closes the store. Idempotent. */
  close(): Promise<void>;
}

function raftOptions(opts: ServerOptions): RaftDatastoreOptions {
  // Peer traffic defaults to the port after the API's (6443 → 6444) on the same address.
  const peerListen = opts.raft?.peerListen ?? { host: opts.host, port: opts.port === 0 ? 0 : opts.port + 1 };
  return { ...opts.raft, peerListen, dataDir: opts.dataDir, advertiseAddress: opts.advertiseAddress, tlsSans: opts.tlsSans };
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function openBackend(opts: ServerOptions, ca: KeyPair, log: pino.Logger): Backend {
  if (opts.datastore === 'memory') return createMemoryBackend();
  // raftsqlite: the replicated store (raft-datastore.ts); its engine runs on a worker thread. With a
  // standby limit, a node may be a spare that serves through a member (node-datastore.ts).
  if (opts.datastore === 'raftsqlite') {
    const ro = raftOptions(opts);
    return ro.standbys === undefined ? openRaftDatastore(ro, ca, log) : openNodeDatastore(ro, ca, log);
  }
  const dir = join(opts.dataDir, 'db');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return createSqliteBackend({ path: join(dir, 'state.db') });
}

/**
 * Starts one kplane node: credentials, datastore, registry, API server, bootstrap objects.
 * /readyz stays false until the store is open and the bootstrap objects exist.
 */
export async function startServer(given: ServerOptions): Promise<RunningServer> {
  const log = pino({ level: process.env.KPLANE_LOG_LEVEL ?? given.logLevel ?? 'info' });
  const timings = given.leaderElection ?? DEFAULT_TIMINGS;
  const badTimings = validateTimings(timings);
  if (badTimings) throw new ConfigError(`leader election: ${badTimings}`);
  // The API server's own controllers run on every node whatever --plugins says. The housekeeping
  // controllers read what they need from the node (catalog, CA, address) only when they start.
  const housekeeping = {
    resources: servedResources(() => registry.catalog),
    caPem: () => creds.ca.certPem,
    legacyToken: (claims: LegacyClaims) => saTokens.issueLegacy(claims),
    csrSigner: () => caCsrSigner(creds.ca),
    apiServer: () => ({ ip: advertisedHost(opts.advertiseAddress, opts.host), port: bound.port }),
  };
  const selected = selectPlugins(builtinPlugins({ ...given.pluginOptions, housekeeping }), given.plugins);
  const store = resolveDatastore(given.dataDir, given.datastore);
  if (given.etcd?.servers?.length && store.kind !== 'etcd') throw new ConfigError(`--etcd-servers needs --datastore etcd, but ${store.why}`);
  if (given.raft?.join && store.kind !== 'raftsqlite') throw new ConfigError(`--join needs the raftsqlite datastore, but ${store.why}`);
  const opts: ServerOptions = { ...given, datastore: store.kind };
  log.info({ datastore: store.kind, why: store.why }, 'datastore');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  recordDatastore(opts.dataDir, store.kind);
  // Taken ports fail the start now, not after certificates, a join, or a datastore that retries.
  await checkListenFree(opts.host, opts.port, '--listen');
  if (opts.datastore === 'raftsqlite') {
    const peer = raftOptions(opts).peerListen;
    await checkListenFree(peer.host, peer.port, '--peer-listen');
    await prepareRaftJoin(raftOptions(opts));
  }
  // The serving certificate names the address this node advertises (with no --advertise-address
  // and a wildcard --listen: its first network address), so other machines can verify it there.
  const ensureCreds = () => ensureCredentialsOffThread(opts.dataDir, { advertiseAddress: advertisedHost(opts.advertiseAddress, opts.host), tlsSans: opts.tlsSans });
  let backend: Backend;
  let creds: Awaited<ReturnType<typeof ensureCreds>>;
  let etcd: EtcdBackend | undefined;
  if (opts.datastore === 'etcd') {
    // Every kplane on the same etcd serves the same cluster, so the CA is shared through etcd.
    const settings = resolveEtcdSettings(opts.dataDir, opts.etcd ?? {});
    etcd = await openEtcdDatastore(settings, log, `${hostname()}:${opts.port}`);
    backend = etcd;
    creds = await syncClusterCa(etcd, opts.dataDir, ensureCreds);
  } else {
    creds = await ensureCreds();
    backend = openBackend(opts, creds.ca, log);
  }
  // Reads with resourceVersion "0", consistent lists and watches are served from one in-memory cache
  // per resource (fed by one backend watch each); writes go straight to the store. The cached objects
  // are deep-frozen and handed out without a copy: nothing between the cache and the wire mutates
  // a read result (the registry suites pass over such a cache), and the copy per listed item or per
  // watcher per event was a quarter of a LIST's CPU.
  // --encryption-provider-config: Secrets (or whatever it lists) are encrypted in every stored value.
  const codec = opts.encryptionProviderConfig ? encryptionCodec(opts.encryptionProviderConfig) : undefined;
  const cache = createWatchCacheRouter({ inner: createObjectStore(backend, codec ? { codec } : {}), backend, shareObjects: true, ...(codec ? { codec } : {}) });
  // Service cluster IPs and node ports are records in the store (IPAddress objects, one key per
  // port), so concurrent creates through any API server cannot share one.
  // One audit log for HTTP requests and the plugins' in-process calls.
  const audit = auditor(opts.audit);
  // Who may do what (registry/auth): the authorizer chain, ServiceAccount tokens signed with the
  // cluster's key, and the objects token checks read (as the apiserver, from the watch cache).
  const authz = createAuthorization(opts.authorizationModes ?? ['RBAC', 'Node']);
  const saTokens = new ServiceAccountTokens(creds.serviceAccountKey, opts.serviceAccountIssuer ?? DEFAULT_ISSUER);
  let lookup: ObjectLookup = async () => undefined;
  const tokenAuthenticators: TokenAuthenticator[] = [];
  if (opts.tokenAuthFile) tokenAuthenticators.push(tokenFileAuthenticator(parseTokenFile(readFileSync(opts.tokenAuthFile, 'utf8'))));
  tokenAuthenticators.push(serviceAccountTokenAuthenticator(saTokens, (...a) => lookup(...a)));
  tokenAuthenticators.push(
    legacyServiceAccountTokenAuthenticator(saTokens, (...a) => lookup(...a), async (namespace, name, day) => {
      const patch = { metadata: { labels: { 'kubernetes.io/legacy-token-last-used': day } } };
      await handler?.handle({ user: { name: 'system:apiserver', groups: ['system:masters'] }, group: '', version: 'v1', resource: 'secrets', namespace, name, verb: 'patch', patchType: 'merge', patch, params: {}, userAgent: 'kube-apiserver' });
    }),
  );
  tokenAuthenticators.push(bootstrapTokenAuthenticator((...a) => lookup(...a)));
  let handler: Handler | undefined;
  const ips = ipAddressReservations(() => handler!);
  const ports = nodePortReservations(cache, () => Date.now());
  const registry = createRegistry({
    definitions: [
      ...builtinDefinitions({
        serviceAllocator: createServiceAllocator({ ips, ports, extraCIDRs: serviceCIDRRanges(() => handler!) }),
        podTolerationSeconds: opts.podTolerationSeconds,
        serviceAccountToken: tokenRequestSubresource({ tokens: () => saTokens, lookup: (...a) => lookup(...a) }),
      }),
      ...reviewDefinitions({ authorizer: authz.authorizer, rules: authz.rules, authenticateToken: (t) => firstUser(tokenAuthenticators, t) }),
      // `kubectl get componentstatuses`: the plugins' Leases and the datastore, read on each request.
      componentStatusDefinition(
        componentProbe({
          lease: (name) => readLease(() => handler!, name),
          storage: async () => {
            if (etcd) return etcd.members().map((m) => (m.healthy ? { healthy: true } : { healthy: false, error: `${m.url} does not answer` }));
            try {
              await backend.currentRevision();
              return [{ healthy: true }];
            } catch (err) {
              const why = opts.datastore === 'raftsqlite' ? unreachablePeers((backend as RaftSqliteBackend).node.status()) : undefined;
              return [{ healthy: false, error: why ?? (err instanceof Error ? err.message : String(err)) }];
            }
          },
          now: Date.now,
        }),
      ),
    ],
    objectStore: cache,
    authorizer: authz.authorizer,
    // After NamespaceLifecycle: escalation prevention, then upstream's default admission plugins.
    admission: [...authz.admission, ...builtinAdmission(() => handler, (msg, fields) => log.warn(fields, msg), () => registry.catalog, authz.authorizer)],
  });
  handler = registry.handler;
  lookup = async (resource, namespace, name) => {
    try {
      const res = await registry.handler.handle({ user: { name: 'system:apiserver', groups: ['system:masters'] }, group: '', version: 'v1', resource, namespace, name, verb: 'get', params: { resourceVersion: '0' } });
      return res.body as KubeObject;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  const crds = crdPlugin(registry.crds);
  const syncCaches = () => {
    // Reviews and other never-stored resources (definition.serve) have nothing to cache.
    const want = new Set(registry.catalog.definitions().filter((d) => !d.serve).map(resourcePrefix));
    for (const p of want) cache.add(p);
    for (const p of cache.prefixes()) if (!want.has(p)) void cache.remove(p);
  };
  syncCaches();
  registry.catalog.onChange(syncCaches);
  const stop = new AbortController();
  // Every long-running follower (CRD, services, RBAC objects, plugins) listens on this one signal.
  setMaxListeners(100, stop.signal);
  let bootstrapped = false;
  const app = createApiServer({
    handler: registry.handler,
    catalog: registry.catalog,
    version: versionInfo(),
    logger: log,
    ...(opts.apiLimits ? { limits: opts.apiLimits } : {}),
    tls: { key: creds.serving.keyPem, cert: creds.serving.certPem, ca: creds.ca.certPem },
    readiness: [
      // etcd: a member answers and follows a leader (probed every second), not a read that could wait.
      etcd
        ? { name: 'etcd', check: () => etcd.ready() }
        : {
            name: 'datastore',
            check: async () => (await backend.currentRevision()).revision >= 0,
            // A replicated node names the peers it cannot reach: the usual cause of a node that never becomes ready.
            describe: opts.datastore === 'raftsqlite' ? () => unreachablePeers((backend as RaftSqliteBackend).node.status()) : undefined,
          },
      { name: 'bootstrap-objects', check: () => bootstrapped },
      { name: 'crd-informer-synced', check: () => crds.synced() },
    ],
    readyInfo: () => pluginReadyLines(plugins),
    openapi: (a) => registerOpenApiRoutes(a, createOpenApiService(registry.catalog)),
    authorizer: authz.authorizer,
    audit,
    serviceAccountIssuer: { discovery: () => saTokens.discovery(), jwks: () => saTokens.jwks() },
    // The join endpoints are reachable before the new node has a certificate (the token in the body
    // authenticates it); spares' backend connections check their node certificate themselves.
    openPaths: [JOIN_CA_PATH, JOIN_PATH, BACKEND_PATH],
    authenticator: withJoinEndpoints(requestAuthenticator({ tokens: tokenAuthenticators, anonymous: opts.anonymousAuth !== false })),
  });
  // raftsqlite: /kplane/join (CA, token + CSR) and /kplane/status.
  if (opts.datastore === 'raftsqlite') {
    const standbys = opts.raft?.standbys;
    const policy = { voters: opts.raft?.voters ?? 3, standbys };
    // With a standby limit, a node joining beyond the voters and the standbys is recorded as a spare.
    const joinAs = standbys === undefined ? undefined : (st: RaftNodeStatus) => joinRole({ ...st, spares: Object.keys(st.spares ?? {}).map(Number) }, policy);
    registerClusterRoutes(app, { dataDir: opts.dataDir, ca: creds.ca, backend: backend as RaftSqliteBackend, tokens: handlerJoinTokens(() => registry.handler), joinRole: joinAs });
  }
  // Spares' remote backends connect here (node certificates only) while this node holds a replica.
  if (backend instanceof NodeDatastore) {
    // Registered as a plugin so it loads after the API server's websocket plugin (which then sees the route).
    void app.register(async (child) =>
      registerBackendService(
        child,
        backend.clusterId,
        (ch, nodeId) => backend.accept(ch) && serveBackend(backend, ch, { describe: () => backend.describe(), leave: () => backend.removeSpare(nodeId), admit: (req) => backend.admitNode(req) }),
      ),
    );
  }
  // Plugins start once the node has its name (after the bootstrap objects); until then these say so.
  let plugins: PluginHost | undefined;
  registerPluginStatus(app, () => (plugins ? { node: plugins.nodeName, host: plugins } : undefined));
  const bound = await listen(app, opts.host, opts.port).catch((err: unknown) => {
    throw listenError(err, opts.host, opts.port, '--listen');
  });
  const clientHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `https://${clientHost}:${bound.port}`;
  writeAdminKubeconfig(opts.dataDir, creds, url);
  // What other nodes will dial: a wrong address here is the usual reason a join never completes.
  const apiUrl = `https://${bracket(advertisedHost(opts.advertiseAddress, opts.host))}:${bound.port}`;
  writeFileSync(pkiPaths(opts.dataDir).apiUrl, `${apiUrl}\n`);
  if (opts.datastore === 'raftsqlite') log.info({ api: apiUrl, peer: peerAddress(raftOptions(opts)) }, 'advertising');
  if (backend instanceof NodeDatastore) {
    // Spares find the members' APIs in the replicated directory.
    const host = opts.advertiseAddress ?? (isWildcardHost(opts.host) ? new URL(peerAddress(raftOptions(opts))).hostname : opts.host);
    void backend.publishApi(`https://${bracket(host)}:${bound.port}`);
  }
  // A node that just joined (or a loaded cluster) may not pass a read barrier yet: the datastore
  // answers 503 until it follows a leader, so the first reads and the bootstrap objects are retried.
  const whenAvailable = async (what: string, fn: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 60 || !isApiError(err) || err.code !== 503) throw err;
        log.warn({ err: err.message, attempt }, `${what}: datastore not available yet; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  await whenAvailable('bootstrap objects', () => bootstrap(registry.handler, bound.port));
  await whenAvailable('default RBAC policy', () => authz.start(registry.handler, stop.signal, (err) => log.warn({ err }, 'RBAC watch failed; retrying')));
  // The node's name (Lease holders, status, logs) is claimed in the cluster once kube-system exists.
  let nodeName = '';
  try {
    const advertised = opts.advertiseAddress ? `https://${opts.advertiseAddress.includes(':') ? `[${opts.advertiseAddress}]` : opts.advertiseAddress}:${bound.port}` : url;
    const claim = () => claimNodeName(createClient(registry.handler, { name: 'system:kplane:node', groups: ['system:masters'] }), opts.dataDir, { requested: given.nodeName, hostname: hostname(), apiAddress: advertised, now: Date.now });
    await whenAvailable('node name', async () => void (nodeName = await claim()));
  } catch (err) {
    stop.abort();
    await app.close();
    await cache.close();
    await backend.close();
    throw err;
  }
  // Only a node holding the CA key can sign CSRs (in a raftsqlite cluster, the first node).
  const runnable = creds.ca.keyPem ? selected : selected.filter((p) => p.name !== CSR_SIGNING);
  plugins = new PluginHost({ plugins: [crds, ...runnable], handler: audit ? auditedHandler(registry.handler, audit) : registry.handler, nodeName, timings, log: log.child({ component: 'plugins', node: nodeName }) });
  plugins.start();
  bootstrapped = true;
  // Upstream's repair loop: records whose Service is gone are released, Services without records
  // (stored before records existed) get theirs. Records younger than the grace may belong to a
  // create still in flight on another node, so they are left for a later pass.
  startServiceAllocationRepair({
    handler: registry.handler, ips, ports, now: () => Date.now(), graceMs: 60_000, intervalMs: 30_000, signal: stop.signal,
    onError: (err) => log.warn({ err }, 'service allocation repair failed; retrying'),
    onPlan: (p) => {
      for (const c of p.conflicts) log.warn({ key: c.key, service: c.owner, holder: c.holder }, 'service address already allocated to another Service');
    },
  });
  log.info({ url, node: nodeName, dataDir: opts.dataDir, datastore: opts.datastore, kubeconfig: join(opts.dataDir, 'kubeconfig') }, 'kplane is ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound.port,
    log,
    close() {
      closing ??= (async () => {
        // Leader plugins stop and release their Leases first, so standbys take over at once.
        await plugins?.stop();
        stop.abort();
        await app.close();
        await cache.close();
        await backend.close();
      })();
      return closing;
    },
  };
}

/** The user the first token authenticator that knows the token names (TokenReview). */
async function firstUser(authenticators: TokenAuthenticator[], token: string) {
  for (const a of authenticators) {
    const u = await a(token);
    if (u) return u;
  }
  return undefined;
}

/** The audit log of --audit-policy-file and --audit-log-path: both are needed, as upstream (no policy, no events). */
function auditor(a: ServerOptions['audit']): Auditor | undefined {
  if (!a?.policyFile || !a.logPath) return undefined;
  const policy = parsePolicy(parseYaml(readFileSync(a.policyFile, 'utf8')));
  const backend = a.logPath === '-' ? { write: (line: string) => void process.stdout.write(`${line}\n`) } : new RotatingFile(a.logPath, (a.maxSizeMB ?? 0) * 1024 * 1024, a.maxBackups ?? 0);
  return { policy, backend };
}

/** The storage codec of --encryption-provider-config; plurals come from the built-in resources. */
function encryptionCodec(path: string) {
  const config = parseEncryptionConfig(parseYaml(readFileSync(path, 'utf8')));
  const plurals = new Map(builtinDefinitions().map((d) => [`${d.group ? `${d.group}/` : ''}${d.version}/${d.kind}`, d.plural]));
  return encryptingCodec(jsonCodec, config, (apiVersion, kind) => plurals.get(`${apiVersion}/${kind}`));
}
