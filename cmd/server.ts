import { Command, Flags } from '@oclif/core';
import { parseAuthorizationModes, startServer, validTlsSans } from '../internal/app/index.js';
import { ConfigError, parseDuration } from '../internal/util/index.js';

export default class Server extends Command {
  static override description =
    'Run a kplane control plane node: the Kubernetes API on an embedded datastore. First start creates the CA, certificates and DATA_DIR/kubeconfig.';

  static override flags = {
    'data-dir': Flags.string({ description: 'where the datastore, certificates and kubeconfig live', default: './kplane-data' }),
    listen: Flags.string({ description: 'HOST:PORT to serve the API on', default: '0.0.0.0:6443' }),
    'advertise-address': Flags.string({ description: 'address other nodes and clients use to reach this one (added to the certificate)' }),
    'tls-san': Flags.string({ description: 'extra host name or IP for the serving certificate, e.g. the load balancer clients use (repeatable)', multiple: true }),
    datastore: Flags.string({
      description: 'storage backend: raftsqlite (replicated Raft + SQLite, the default for a new data dir; one node needs no set-up and others join it), etcd (an external etcd v3 cluster, see --etcd-servers), sqlite (single node only) or memory (tests). An existing data dir keeps its store.',
      options: ['sqlite', 'memory', 'raftsqlite', 'etcd'],
    }),
    // etcd (external datastore) flags, remembered in the data dir
    'etcd-servers': Flags.string({ description: 'etcd: client URLs of the etcd members, comma-separated (http(s)://host:2379,...)' }),
    'etcd-cafile': Flags.string({ description: 'etcd: CA bundle that signed the members\' serving certificates' }),
    'etcd-certfile': Flags.string({ description: 'etcd: client certificate for etcd (with --etcd-keyfile)' }),
    'etcd-keyfile': Flags.string({ description: 'etcd: client key for etcd' }),
    'etcd-prefix': Flags.string({ description: 'etcd: the key prefix the cluster lives under (kube-apiserver\'s --etcd-prefix; default /registry)' }),
    // raftsqlite (replicated datastore) flags
    join: Flags.string({ description: 'raftsqlite: join the cluster of this API URL (first start only; see kplane add-node)' }),
    token: Flags.string({ description: 'raftsqlite: the join token printed by kplane add-node' }),
    'peer-listen': Flags.string({ description: 'raftsqlite: HOST:PORT for Raft traffic between nodes (mutual TLS); default: the --listen host, port + 1' }),
    voters: Flags.integer({ description: 'raftsqlite: voters from 3 nodes on (3 or 5)', default: 3 }),
    'voter-grace-period': Flags.integer({ description: 'raftsqlite: ms a voter may stay unreachable before a standby replaces it', default: 30_000 }),
    'failure-domain': Flags.string({ description: 'raftsqlite: failure domain of this node (voters spread across domains)' }),
    'heartbeat-interval': Flags.integer({ description: 'raftsqlite: Raft heartbeat interval in ms', default: 100 }),
    'election-timeout': Flags.integer({ description: 'raftsqlite: Raft election timeout in ms (randomized up to twice this)', default: 1000 }),
    // Every node of a cluster should be started with the same value (the leader applies its own).
    standbys: Flags.integer({ description: 'raftsqlite: most standbys (replicating non-voters); further nodes are spares with no replica that serve through a member', default: 2 }),
    'node-name': Flags.string({ description: "this node's name in Lease holders, kplane status and logs (default: the host name)" }),
    plugins: Flags.string({ description: 'comma-separated plugins this node runs (default: every built-in plugin except hollow-nodes; "*": that default set, "-name": leave one out, e.g. "*,fencing-probe,-scheduler"; "none": a pure API server)' }),
    'leader-elect-lease-duration': Flags.string({ description: 'how long a standby waits after the last renewal of a Lease before taking it over', default: '15s' }),
    'leader-elect-renew-deadline': Flags.string({ description: 'how long a Lease holder retries a failed renewal before its plugins stop', default: '10s' }),
    'leader-elect-retry-period': Flags.string({ description: 'pause between attempts to acquire or renew a Lease', default: '2s' }),
    'hollow-nodes': Flags.integer({ description: 'simulated nodes (kubelets that run no containers) this node plays, for tests, demos and benchmarks; they stop when this node does', default: 0 }),
    'hollow-node-prefix': Flags.string({ description: 'hollow node names are PREFIX-0, PREFIX-1, ... (default: hollow-<node name>)' }),
    'hollow-node-capacity': Flags.string({ description: 'what each hollow node offers, e.g. cpu=4,memory=16Gi,pods=110', default: 'cpu=4,memory=16Gi,pods=110' }),
    'hollow-node-pod-start': Flags.string({ description: 'how long a hollow node takes to start a pod (ContainerCreating → Running)', default: '1s' }),
    'hollow-node-job-duration': Flags.string({ description: 'how long containers of run-to-completion pods (Jobs) run before exiting 0', default: '5s' }),
    'hollow-node-heartbeat': Flags.string({ description: "how often a hollow node renews its Lease in kube-node-lease (a kubelet's default)", default: '10s' }),
    'node-monitor-grace-period': Flags.string({ description: 'a node whose Lease is not renewed for this long becomes NotReady (Ready=Unknown) and unreachable-tainted', default: '40s' }),
    'default-not-ready-toleration-seconds': Flags.integer({ description: 'tolerationSeconds of the node.kubernetes.io/not-ready:NoExecute toleration added to every pod that has none', default: 300 }),
    'default-unreachable-toleration-seconds': Flags.integer({ description: 'tolerationSeconds of the node.kubernetes.io/unreachable:NoExecute toleration added to every pod that has none', default: 300 }),
    'authorization-mode': Flags.string({ description: 'authorizers in order: RBAC, Node, AlwaysAllow (experiments only), AlwaysDeny; system:masters may always do anything', default: 'RBAC,Node' }),
    'token-auth-file': Flags.string({ description: 'static bearer tokens, one per line: token,user,uid,"group1,group2"' }),
    'anonymous-auth': Flags.boolean({ description: 'requests without credentials are system:anonymous (allowed health and version by default) instead of 401', default: true, allowNo: true }),
    'encryption-provider-config': Flags.string({ description: "EncryptionConfiguration file (upstream's format: aesgcm, aescbc, identity) for Secrets and other resources at rest" }),
    'audit-policy-file': Flags.string({ description: "audit policy (upstream's audit.k8s.io/v1 Policy: levels None, Metadata, Request, RequestResponse; omitStages; rules by user, group, verb, resource, namespace, URL); needs --audit-log-path" }),
    'audit-log-path': Flags.string({ description: "file the audit.k8s.io/v1 Events are appended to, one JSON line each ('-' = standard output)" }),
    'audit-log-maxsize': Flags.integer({ description: 'megabytes an audit log file may reach before it is rotated (renamed with a timestamp); 0 = never', default: 0 }),
    'audit-log-maxbackup': Flags.integer({ description: 'rotated audit log files kept (the oldest are removed); 0 = keep all', default: 0 }),
    'service-account-issuer': Flags.string({ description: 'issuer (iss) of ServiceAccount tokens and of /.well-known/openid-configuration', default: 'https://kubernetes.default.svc.cluster.local' }),
    'max-requests-inflight': Flags.integer({ description: 'read-only requests executing at once (watches excepted), shared fairly between users; more wait in a per-user queue or get 429 with Retry-After; 0 = no limit', default: 400 }),
    'max-mutating-requests-inflight': Flags.integer({ description: 'mutating requests executing at once, shared fairly between users; more wait or get 429; 0 = no limit', default: 200 }),
    'adaptive-inflight': Flags.boolean({ description: 'while the event loop lags, fewer requests execute at once than the in-flight limits allow (the rest queue per user and are served in turn); --no-adaptive-inflight keeps the limits fixed', default: true, allowNo: true }),
    'queue-length-per-user': Flags.integer({ description: 'requests one user may have waiting for an in-flight seat, per class (reads, writes); more get 429', default: 50 }),
    'request-timeout': Flags.string({ description: 'non-watch requests taking longer are answered 504 Timeout (Go duration); 0 = none', default: '1m0s' }),
    'log-level': Flags.string({ description: 'log level', options: ['debug', 'info', 'warn', 'error'], default: 'info' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    const { host, port } = parseListen(flags.listen);
    if (flags.join && !flags.token) throw new ConfigError('--join needs --token (from kplane add-node)');
    if (flags.voters !== 3 && flags.voters !== 5) throw new ConfigError(`--voters must be 3 or 5, got ${flags.voters}`);
    if (flags.standbys < 0) throw new ConfigError(`--standbys must be 0 or more, got ${flags.standbys}`);
    for (const f of ['default-not-ready-toleration-seconds', 'default-unreachable-toleration-seconds'] as const) {
      if (flags[f] < 0) throw new ConfigError(`--${f} must be 0 or more, got ${flags[f]}`);
    }
    if (flags['hollow-nodes'] < 0) throw new ConfigError(`--hollow-nodes must be 0 or more, got ${flags['hollow-nodes']}`);
    const server = await startServer({
      dataDir: flags['data-dir'],
      host,
      port,
      advertiseAddress: flags['advertise-address'],
      tlsSans: validTlsSans(flags['tls-san'] ?? []),
      datastore: flags.datastore as 'sqlite' | 'memory' | 'raftsqlite' | 'etcd' | undefined,
      etcd: {
        servers: flags['etcd-servers']?.split(',').map((s) => s.trim()).filter(Boolean),
        prefix: flags['etcd-prefix'],
        cafile: flags['etcd-cafile'],
        certfile: flags['etcd-certfile'],
        keyfile: flags['etcd-keyfile'],
      },
      raft: {
        peerListen: flags['peer-listen'] ? parseListen(flags['peer-listen']) : undefined,
        voters: flags.voters === 5 ? 5 : 3,
        failureDomain: flags['failure-domain'],
        heartbeatMs: flags['heartbeat-interval'],
        electionMs: flags['election-timeout'],
        voterGraceMs: flags['voter-grace-period'],
        standbys: flags.standbys,
        join: flags.join ? { url: flags.join, token: flags.token ?? '' } : undefined,
      },
      logLevel: flags['log-level'],
      apiLimits: apiLimits(flags),
      nodeName: flags['node-name'],
      plugins: flags.plugins === undefined ? undefined : flags.plugins.split(','),
      pluginOptions: {
        hollowNodes: {
          count: flags['hollow-nodes'],
          prefix: flags['hollow-node-prefix'],
          renewIntervalMs: parseDuration(flags['hollow-node-heartbeat'], '--hollow-node-heartbeat'),
          shape: parseCapacity(flags['hollow-node-capacity']),
          timing: {
            startDelayMs: parseDuration(flags['hollow-node-pod-start'], '--hollow-node-pod-start'),
            runTimeMs: parseDuration(flags['hollow-node-job-duration'], '--hollow-node-job-duration'),
          },
        },
        nodeLifecycle: { gracePeriodMs: parseDuration(flags['node-monitor-grace-period'], '--node-monitor-grace-period') },
      },
      leaderElection: {
        leaseDurationMs: parseDuration(flags['leader-elect-lease-duration'], '--leader-elect-lease-duration'),
        renewDeadlineMs: parseDuration(flags['leader-elect-renew-deadline'], '--leader-elect-renew-deadline'),
        retryPeriodMs: parseDuration(flags['leader-elect-retry-period'], '--leader-elect-retry-period'),
      },
      authorizationModes: parseAuthorizationModes(flags['authorization-mode']),
      tokenAuthFile: flags['token-auth-file'],
      anonymousAuth: flags['anonymous-auth'],
      serviceAccountIssuer: flags['service-account-issuer'],
      encryptionProviderConfig: flags['encryption-provider-config'],
      podTolerationSeconds: { notReady: flags['default-not-ready-toleration-seconds'], unreachable: flags['default-unreachable-toleration-seconds'] },
      audit: { policyFile: flags['audit-policy-file'], logPath: flags['audit-log-path'], maxSizeMB: flags['audit-log-maxsize'], maxBackups: flags['audit-log-maxbackup'] },
    });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.log.info({ signal }, 'shutting down');
      // A second signal, or a shutdown that hangs, must still end the process.
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  }
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) throw new ConfigError(`--listen must be HOST:PORT, got "${listen}"`);
  const port = Number(m[3]);
  if (port < 0 || port > 65535) throw new ConfigError(`--listen port out of range: ${port}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** --hollow-node-capacity "cpu=4,memory=16Gi,pods=110" (any subset). */
function parseCapacity(text: string): { cpu?: string; memory?: string; pods?: number } {
  const out: { cpu?: string; memory?: string; pods?: number } = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    if (!value || !/^[0-9.]+[a-zA-Z]*$/.test(value)) throw new ConfigError(`--hollow-node-capacity: "${part}" is not name=quantity`);
    if (key === 'cpu') out.cpu = value;
    else if (key === 'memory') out.memory = value;
    else if (key === 'pods' && /^\d+$/.test(value)) out.pods = Number(value);
    else throw new ConfigError(`--hollow-node-capacity: unknown or invalid "${part}" (cpu, memory, pods)`);
  }
  return out;
}

export function apiLimits(flags: { 'max-requests-inflight': number; 'max-mutating-requests-inflight': number; 'queue-length-per-user': number; 'request-timeout': string; 'adaptive-inflight'?: boolean }) {
  for (const f of ['max-requests-inflight', 'max-mutating-requests-inflight', 'queue-length-per-user'] as const) {
    if (flags[f] < 0) throw new ConfigError(`--${f} must be 0 or more, got ${flags[f]}`);
  }
  const timeoutMs = flags['request-timeout'] === '0' ? 0 : parseDuration(flags['request-timeout'], '--request-timeout');
  return {
    maxReadOnlyInFlight: flags['max-requests-inflight'],
    maxMutatingInFlight: flags['max-mutating-requests-inflight'],
    queueLengthPerUser: flags['queue-length-per-user'],
    requestTimeoutMs: timeoutMs,
    ...(flags['adaptive-inflight'] === false ? { adaptiveSeats: false as const } : {}),
  };
}
