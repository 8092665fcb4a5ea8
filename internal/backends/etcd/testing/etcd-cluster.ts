import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../../../test/e2e/harness.js';

/**
 * Real etcd members on loopback ports picked here, for tests (Debian's etcd-server package; .ci/run
 * installs it). Data lives in memory (/dev/shm) when the machine has it: fsync there is free, and a
 * test's cluster dies with the test anyway.
 */

/** The etcd binary on PATH, or undefined (tests then skip with a message saying so). */
export function etcdBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'etcd');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const NO_ETCD = 'etcd is not installed (apt-get install etcd-server); skipping the tests on real etcd';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  proc: ChildProcess | undefined;
  output: string;
}

/** PEM files of a TLS cluster: the CA, and a client certificate and key it signed. */
export interface EtcdTlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * A CA, a serving certificate for 127.0.0.1 and a client certificate (EC P-256, one day), made with
 * the openssl command line in dir.
 */
export function makeTlsFiles(dir: string): EtcdTlsFiles & { serverCert: string; serverKey: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'));
  ssl('req', '-x509', '-new', '-key', f('ca.key'), '-subj', '/CN=test-etcd-ca', '-days', '1', '-out', f('ca.crt'));
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.key`));
    ssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${name}`, '-out', f(`${name}.csr`));
    execFileSync('sh', ['-c', `printf '${ext}\n' > ${f(`${name}.ext`)}`]);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
  }
  return { ca: f('ca.crt'), cert: f('client.crt'), key: f('client.key'), serverCert: f('server.crt'), serverKey: f('server.key') };
}

/** A request to a member's HTTP endpoint (the /health check, the gRPC gateway under /v3): status and body. */
function memberRequest(url: string, path: string, body: string | undefined, tls?: EtcdTlsFiles): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const opts = { host: u.hostname, port: u.port, path, method: body === undefined ? 'GET' : 'POST', timeout: 1000 };
    const onRes = (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    };
    const req = tls ? httpsRequest({ ...opts, ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, onRes) : httpRequest(opts, onRes);
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

async function healthy(url: string, tls?: EtcdTlsFiles): Promise<boolean> {
  const r = await memberRequest(url, '/health', undefined, tls);
  return r.status === 200 && r.body.includes('"true"');
}

/** A member's own id and the leader's id it knows (Maintenance.Status through the gRPC gateway); undefined when it does not answer. */
async function memberStatus(url: string, tls?: EtcdTlsFiles): Promise<{ id: string; leader: string } | undefined> {
  const r = await memberRequest(url, '/v3/maintenance/status', '{}', tls);
  if (r.status !== 200) return undefined;
  const st = JSON.parse(r.body) as { header?: { member_id?: string }; leader?: string };
  return st.header?.member_id && st.leader ? { id: st.header.member_id, leader: st.leader } : undefined;
}

export interface EtcdCluster {
  /** Client URLs of all members. */
  endpoints: string[];
  /** Set when the cluster was started with TLS: client URLs are https and need a client certificate. */
  tls?: EtcdTlsFiles;
  members: EtcdMember[];
  /** SIGKILLs member i and waits for it to exit. */
  stop(i: number): Promise<void>;
  /** A key's raw value as etcd holds it (a linearizable Range through member i's gRPC gateway); undefined when absent. */
  rawGet(key: string, i?: number): Promise<Buffer | undefined>;
  /** The index of the member that is the leader now (asked of the running members; waits for one). */
  leader(timeoutMs?: number): Promise<number>;
  /** Starts member i again from its data dir. */
  start(i: number): void;
  /** Resolves when member i reports healthy (it has a leader and serves linearizable reads). */
  waitHealthy(i: number, timeoutMs?: number): Promise<void>;
  /** Kills every member and removes the data. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startEtcdCluster(size: 1 | 3, opts: { tls?: boolean } = {}): Promise<EtcdCluster> {
  const bin = etcdBinary();
  if (!bin) throw new Error(NO_ETCD);
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kplane-etcd-'));
  const ports = await Promise.all(Array.from({ length: size * 2 }, freePort));
  const peers = Array.from({ length: size }, (_, i) => `m${i}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',');
  const token = `t-${process.pid}-${Date.now()}`;
  const tls = opts.tls ? makeTlsFiles(root) : undefined;
  const scheme = tls ? 'https' : 'http';
  const members: EtcdMember[] = Array.from({ length: size }, (_, i) => ({ name: `m${i}`, clientUrl: `${scheme}://127.0.0.1:${ports[2 * i]}`, proc: undefined, output: '' }));
  const tlsArgs = tls ? ['--cert-file', tls.serverCert, '--key-file', tls.serverKey, '--trusted-ca-file', tls.ca, '--client-cert-auth'] : [];
  const args = (i: number) => {
    const peer = `http://127.0.0.1:${ports[2 * i + 1]}`;
    const client = members[i]!.clientUrl;
    return ['--name', `m${i}`, '--data-dir', join(root, `m${i}`), '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', peers, '--initial-cluster-state', 'new',
      '--initial-cluster-token', token, '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn', ...tlsArgs];
  };
  const start = (i: number) => {
    const m = members[i]!;
    const p = spawn(bin, args(i), { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(p);
    p.stderr!.on('data', (d: Buffer) => (m.output = (m.output + d.toString()).slice(-20_000)));
    p.once('exit', () => live.delete(p));
    m.proc = p;
  };
  const waitHealthy = async (i: number, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await healthy(members[i]!.clientUrl, tls)) return;
      if (Date.now() > deadline) throw new Error(`etcd member m${i} not healthy after ${timeoutMs} ms:\n${members[i]!.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async (i: number) => {
    const p = members[i]!.proc;
    members[i]!.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  };
  const leader = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const up = members.map((m, i) => ({ m, i })).filter(({ m }) => m.proc && m.proc.exitCode === null);
      const st = await Promise.all(up.map(({ m }) => memberStatus(m.clientUrl, tls)));
      const leaderId = st.find((s) => s)?.leader;
      const i = up.findIndex((_, j) => st[j]?.id === leaderId);
      if (i >= 0 && st.every((s) => !s || s.leader === leaderId)) return up[i]!.i;
      if (Date.now() > deadline) throw new Error(`no etcd leader after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const rawGet = async (key: string, i = 0) => {
    const r = await memberRequest(members[i]!.clientUrl, '/v3/kv/range', JSON.stringify({ key: Buffer.from(key).toString('base64') }), tls);
    if (r.status !== 200) throw new Error(`etcd range ${key}: HTTP ${r.status} ${r.body}`);
    const kv = (JSON.parse(r.body) as { kvs?: { value?: string }[] }).kvs?.[0];
    return kv ? Buffer.from(kv.value ?? '', 'base64') : undefined;
  };
  for (let i = 0; i < size; i++) start(i);
  await Promise.all(members.map((_, i) => waitHealthy(i)));
  return {
    endpoints: members.map((m) => m.clientUrl),
    tls: tls && { ca: tls.ca, cert: tls.cert, key: tls.key },
    members,
    stop,
    rawGet,
    leader,
    start,
    waitHealthy,
    async close() {
      await Promise.all(members.map((_, i) => stop(i)));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
