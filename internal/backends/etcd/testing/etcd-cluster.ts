import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  proc: ChildProcess | undefined;
  output: string;
}

export interface EtcdCluster {
  /** Client URLs of all members. */
  endpoints: string[];
  members: EtcdMember[];
  /** SIGKILLs member i and waits for it to exit. */
  stop(i: number): Promise<void>;
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

export async function startEtcdCluster(size: 1 | 3): Promise<EtcdCluster> {
  const bin = etcdBinary();
  if (!bin) throw new Error(NO_ETCD);
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kplane-etcd-'));
  const ports = await Promise.all(Array.from({ length: size * 2 }, freePort));
  const peers = Array.from({ length: size }, (_, i) => `m${i}=http://127.0.0.1:${ports[2 * i + 1]}`).join(',');
  const token = `t-${process.pid}-${Date.now()}`;
  const members: EtcdMember[] = Array.from({ length: size }, (_, i) => ({ name: `m${i}`, clientUrl: `http://127.0.0.1:${ports[2 * i]}`, proc: undefined, output: '' }));
  const args = (i: number) => {
    const peer = `http://127.0.0.1:${ports[2 * i + 1]}`;
    const client = members[i]!.clientUrl;
    return ['--name', `m${i}`, '--data-dir', join(root, `m${i}`), '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', peers, '--initial-cluster-state', 'new',
      '--initial-cluster-token', token, '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn'];
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
      try {
        const r = await fetch(`${members[i]!.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        if (r.ok && ((await r.json()) as { health?: string }).health === 'true') return;
      } catch {
        // not up yet
      }
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
  for (let i = 0; i < size; i++) start(i);
  await Promise.all(members.map((_, i) => waitHealthy(i)));
  return {
    endpoints: members.map((m) => m.clientUrl),
    members,
    stop,
    start,
    waitHealthy,
    async close() {
      await Promise.all(members.map((_, i) => stop(i)));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
