import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterStatus } from '../../internal/app/index.js';
import { BIN, ROOT, freePort, kubectlBinary, waitReady } from './processes.js';

/**
 * Real processes for the HA end-to-end test: kplane nodes on the raftsqlite datastore on loopback
 * (joined with add-node tokens), HAProxy started from the shipped manifests/haproxy.cfg, an admin
 * HTTPS client with the cluster's admin certificate, and a writer that records every acknowledged
 * create. Every process is started with its output in a log file and stopped by its own PID.
 */

export const HAPROXY = '/usr/sbin/haproxy';
export const SHIPPED_HAPROXY_CFG = join(ROOT, 'manifests', 'haproxy.cfg');

export function haproxyBinary(): string | undefined {
  return [HAPROXY, '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));
}

/** The node status of GET /kplane/status (`kplane status -o json`): the type internal/app declares. */
export type NodeStatus = ClusterStatus;

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the writer keeps writing meanwhile). */
export function exec(cmd: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env ?? {}) } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr });
    });
  });
}

/**
 * The shipped HAProxy configuration with its listen address and server lines replaced: the first
 * `server` line's indentation is kept, one line per given server; everything else is as shipped.
 */
export function renderHaproxyConfig(template: string, bind: string, servers: { name: string; address: string }[]): string {
  const lines = template.split('\n');
  const binds = lines.filter((l) => /^\s*bind\s/.test(l)).length;
  const first = lines.findIndex((l) => /^\s*server\s/.test(l));
  if (binds !== 1 || first < 0) throw new Error('haproxy.cfg: expected one bind line and server lines');
  const indent = /^\s*/.exec(lines[first]!)![0];
  const out: string[] = [];
  for (const [i, l] of lines.entries()) {
    if (/^\s*bind\s/.test(l)) out.push(l.replace(/bind\s+\S+/, `bind ${bind}`));
    else if (i === first) out.push(...servers.map((s) => `${indent}server ${s.name} ${s.address}`));
    else if (!/^\s*server\s/.test(l)) out.push(l);
  }
  return out.join('\n');
}

/** Spawns a long-running process with stdout and stderr appended to a log file. */
function spawnLogged(cmd: string, args: string[], log: string, env: Record<string, string> = {}): { proc: ChildProcess; exited: Promise<number | null> } {
  const fd = openSync(log, 'a');
  const proc = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  live.add(proc);
  const exited = new Promise<number | null>((r) =>
    proc.on('exit', (code) => {
      live.delete(proc);
      r(code);
    }),
  );
  return { proc, exited };
}

/**
 * Processes started here and still running. If the test process exits without its afterAll (a
 * worker torn down after a timeout), each is killed by its PID so no node or HAProxy outlives it.
 */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export class HaNode {
  proc?: ChildProcess;
  private exited?: Promise<number | null>;
  /** The Raft node id (known once the node answered a status request). */
  id = 0;
  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly apiPort: number,
    readonly peerPort: number,
    readonly log: string,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.apiPort}`;
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /**
   * Starts `kplane server` with this node's data dir, ports and advertise address, then `args`.
   * `bare`: only the data dir and `args`, as a user types it (the defaults pick the rest).
   */
  start(args: string[], opts: { bare?: boolean } = {}): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    writeFileSync(this.log, `\n=== start ${new Date().toISOString()} ${args.join(' ')}\n`, { flag: 'a' });
    const base = opts.bare
      ? ['server', '--data-dir', this.dataDir]
      : ['server', '--data-dir', this.dataDir, '--datastore', 'raftsqlite', '--listen', `127.0.0.1:${this.apiPort}`, '--peer-listen', `127.0.0.1:${this.peerPort}`, '--advertise-address', '127.0.0.1'];
    const s = spawnLogged(BIN, [...base, ...args], this.log, { KPLANE_LOG_LEVEL: process.env.KPLANE_LOG_LEVEL ?? 'info' });
    this.proc = s.proc;
    this.exited = s.exited;
  }

  async waitReady(timeoutMs = 60_000): Promise<number> {
    try {
      return await waitReady(this.apiPort, timeoutMs, this.proc);
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).message}\n--- ${this.log} (tail) ---\n${tail(this.log)}`);
    }
  }

  /** SIGKILL: the process (and its Raft worker thread) dies at once, as in a power loss. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.proc!.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.proc!.kill('SIGTERM');
    const t = setTimeout(() => this.proc?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Admin credentials of the cluster (the founder's pki/); any node accepts them (one cluster CA). */
export interface AdminCreds {
  ca: string;
  cert: string;
  key: string;
}

export function adminCreds(dataDir: string): AdminCreds {
  const f = (n: string) => readFileSync(join(dataDir, 'pki', n), 'utf8');
  return { ca: f('ca.crt'), cert: f('admin.crt'), key: f('admin.key') };
}

/** One HTTPS request on a fresh connection (so HAProxy picks a server per request), verifying the cluster CA. */
export function adminRequest(creds: AdminCreds, port: number, method: string, path: string, body?: unknown, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ...creds,
        agent: false,
        timeout: timeoutMs,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function nodeStatus(creds: AdminCreds, node: HaNode): Promise<NodeStatus> {
  const r = await adminRequest(creds, node.apiPort, 'GET', '/kplane/status', undefined, 3000);
  if (r.status !== 200) throw new Error(`${node.name}: /kplane/status HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as NodeStatus;
}

/** Polls until check returns a value (not undefined); throws with the last error or value when time runs out. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
      last = 'not yet';
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Three or more kplane nodes on loopback, the first one founding the cluster and holding the CA key. */
export class HaCluster {
  readonly nodes: HaNode[] = [];
  private workDir?: string;
  private haproxy?: { proc: ChildProcess; exited: Promise<number | null> };
  haproxyPort = 0;
  /** kubeconfig of the admin pointed at HAProxy. */
  kubeconfig = '';
  /** How long found/join/restart wait for a node's /readyz (raise it for nodes with many plugins on a loaded machine). */
  readyTimeoutMs = 60_000;

  constructor(private readonly commonArgs: string[]) {}

  /** The temp dir of this cluster (data dirs, logs, configs), made on first use: a skipped file leaves none. */
  get dir(): string {
    this.workDir ??= mkdtempSync(join(tmpdir(), 'kplane-ha-'));
    return this.workDir;
  }

  /** Whether the temp dir was ever made (nothing to remove otherwise). */
  get hasDir(): boolean {
    return this.workDir !== undefined;
  }

  get founder(): HaNode {
    return this.nodes[0]!;
  }

  creds(): AdminCreds {
    return adminCreds(this.founder.dataDir);
  }

  private async newNode(): Promise<HaNode> {
    const name = `n${this.nodes.length + 1}`;
    const [api, peer] = [await freePort(), await freePort()];
    const node = new HaNode(name, join(this.dir, name), api, peer, join(this.dir, `${name}.log`));
    this.nodes.push(node);
    return node;
  }

  async found(): Promise<HaNode> {
    const node = await this.newNode();
    node.start(this.commonArgs);
    await node.waitReady(this.readyTimeoutMs);
    node.id = (await this.status(node)).id;
    return node;
  }

  /**
   * `kplane add-node` on the founder, then `kplane server --join <via> --token <token>`; via is the
   * founder unless given (a node without the CA key sends the joiner on to one that has it).
   */
  async join(via: HaNode = this.founder): Promise<HaNode> {
    const add = await exec(BIN, ['add-node', '--data-dir', this.founder.dataDir]);
    if (add.code !== 0) throw new Error(`add-node failed: ${add.stderr}`);
    const token = add.stdout.split('\n')[1]?.trim() ?? '';
    if (!/^K10\./.test(token)) throw new Error(`add-node printed no token on line 2:\n${add.stdout}`);
    const node = await this.newNode();
    node.start([...this.commonArgs, '--join', via.url, '--token', token]);
    await node.waitReady(this.readyTimeoutMs);
    node.id = (await this.status(node)).id;
    return node;
  }

  /** Restart on the existing data dir: no --join, no token. */
  async restart(node: HaNode, wait = true): Promise<void> {
    node.start(this.commonArgs);
    if (wait) await node.waitReady(this.readyTimeoutMs);
  }

  status(node: HaNode): Promise<NodeStatus> {
    return nodeStatus(this.creds(), node);
  }

  /** The node every running node agrees leads (ids resolved from each node's own status). */
  async leader(timeoutMs = 15_000): Promise<{ node: HaNode; status: NodeStatus }> {
    return waitFor('one leader all running nodes agree on', timeoutMs, async () => {
      const sts = await Promise.all(this.nodes.filter((n) => n.running).map(async (n) => ({ n, st: await this.status(n) })));
      for (const { n, st } of sts) n.id = st.id;
      const leaders = new Set(sts.map(({ st }) => st.leader));
      const leader = sts.find(({ st }) => st.role === 'leader');
      if (leaders.size !== 1 || !leader || leader.st.leader !== leader.st.id) return undefined;
      return { node: leader.n, status: leader.st };
    });
  }

  byId(id: number): HaNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node with id ${id} (known: ${this.nodes.map((x) => `${x.name}=${x.id}`).join(', ')})`);
    return n;
  }

  /** HAProxy from the shipped config, in front of the given nodes; writes a kubeconfig pointing at it. */
  async startHaproxy(servers: HaNode[]): Promise<string> {
    this.haproxyPort = await freePort();
    const cfg = renderHaproxyConfig(readFileSync(SHIPPED_HAPROXY_CFG, 'utf8'), `127.0.0.1:${this.haproxyPort}`, servers.map((n) => ({ name: n.name, address: `127.0.0.1:${n.apiPort}` })));
    const file = join(this.dir, 'haproxy.cfg');
    writeFileSync(file, cfg);
    const check = await exec(haproxyBinary()!, ['-c', '-f', file]);
    if (check.code !== 0) throw new Error(`haproxy -c rejected the rendered config:\n${check.stdout}${check.stderr}`);
    this.haproxy = spawnLogged(haproxyBinary()!, ['-db', '-f', file], join(this.dir, 'haproxy.log'));
    // As manifests/README.md says: verify a name every node's serving certificate carries.
    this.kubeconfig = this.kubeconfigFor(this.haproxyPort, 'via-haproxy', 'kubernetes');
    return file;
  }

  /** The founder's admin kubeconfig with its server replaced (HAProxy, or one node directly). */
  kubeconfigFor(port: number, name: string, tlsServerName?: string): string {
    const text = readFileSync(join(this.founder.dataDir, 'kubeconfig'), 'utf8').replace(/^(\s*)server: \S+/m, (_, indent: string) => `${indent}server: https://127.0.0.1:${port}${tlsServerName ? `\n${indent}tls-server-name: ${tlsServerName}` : ''}`);
    const dir = join(this.dir, `kc-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kubeconfig'), text);
    return join(dir, 'kubeconfig');
  }

  /** Real kubectl 1.32 (never the gcloud dispatcher on PATH), with a HOME per kubeconfig. */
  kubectl(kubeconfig: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
    const home = join(kubeconfig, '..', 'home');
    return exec(kubectlBinary('1.32'), ['--kubeconfig', kubeconfig, '--request-timeout', '20s', ...args], { env: { HOME: home }, timeoutMs });
  }

  /** SIGKILL to every process this cluster started (by its own PID), and waits for each to exit. */
  async shutdown(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill9()));
    if (this.haproxy && this.haproxy.proc.exitCode === null) {
      this.haproxy.proc.kill('SIGKILL');
      await this.haproxy.exited;
    }
  }

  logs(): string {
    return this.nodes.map((n) => `--- ${n.name} (id ${n.id}, api ${n.apiPort}) ---\n${tail(n.log, 25)}`).join('\n') + `\n--- haproxy ---\n${tail(join(this.dir, 'haproxy.log'), 15)}`;
  }
}
