import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Processes and clients for end-to-end tests and benchmarks: the built kplane binary, real kubectl,
 * free ports. Nothing here depends on vitest, so on-demand scripts (npm run bench:abuse) run it too;
 * the vitest lifecycle helpers are in harness.ts, which re-exports this module.
 */

/** The repository root; e2e tests drive the BUILT binary (npm test builds first). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'kplane');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface RunningKplane {
  port: number;
  url: string;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (power loss of the process). */
  kill(): Promise<void>;
}

export function httpsGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, path, headers, rejectUnauthorized: false, timeout: 2000 }, (r) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export async function waitReady(port: number, timeoutMs = 30_000, proc?: ChildProcess): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (proc && proc.exitCode !== null) throw new Error(`kplane exited with ${proc.exitCode} before /readyz`);
    try {
      const r = await httpsGet(port, '/readyz');
      if (r.status === 200) return Date.now() - start;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`kplane not ready on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts `kplane server` on a free loopback port with a fresh (or given) data directory. */
export async function startKplane(opts: { dataDir?: string; args?: string[]; port?: number; readyTimeoutMs?: number } = {}): Promise<RunningKplane> {
  if (!existsSync(join(ROOT, 'dist', 'cmd', 'index.js'))) throw new Error('dist/ missing: run `npm run build` first');
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kplane-e2e-'));
  const proc = spawn(BIN, ['server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KPLANE_LOG_LEVEL: process.env.KPLANE_LOG_LEVEL ?? 'warn' },
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  try {
    await waitReady(port, opts.readyTimeoutMs ?? 60_000, proc);
  } catch (err) {
    proc.kill('SIGKILL');
    // freePort() only found the API port free; the default peer port (API port + 1) may be taken
    // by another file's server. A fresh server (no port or data dir given) starts again elsewhere.
    if (/EADDRINUSE/.test(out) && opts.port === undefined && opts.dataDir === undefined) {
      await exited;
      removeDir(dataDir);
      return startKplane(opts);
    }
    throw new Error(`${(err as Error).message}\n--- kplane output ---\n${out}`);
  }
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig'),
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where the kubectl package keeps its versioned binaries (kubectl on PATH links into it). */
const KUBECTL_DIRS = ['/usr/lib/google-cloud-sdk/bin', ...(process.env.PATH ?? '').split(':')];

/** Versions under test: the one on PATH is 1.32; versioned binaries (kubectl.1.27 …) sit beside it. */
export function kubectlBinary(version?: string): string {
  if (!version) return 'kubectl';
  for (const dir of KUBECTL_DIRS) if (dir && existsSync(join(dir, `kubectl.${version}`))) return join(dir, `kubectl.${version}`);
  return `kubectl.${version}`;
}

export function hasBinary(name: string): boolean {
  const m = /^kubectl\.(\d+\.\d+)$/.exec(name);
  if (m) return existsSync(kubectlBinary(m[1]));
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Runs kubectl against a kubeconfig; stdin optional. Never throws for a non-zero exit. */
export function kubectl(kubeconfig: string, args: string[], opts: { version?: string; input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): KubectlResult {
  const r = spawnSync(kubectlBinary(opts.version), ['--kubeconfig', kubeconfig, ...args], {
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    // A HOME per server keeps kubectl's discovery cache from leaking between test servers.
    env: { ...process.env, HOME: join(dirname(kubeconfig), 'home'), ...(opts.env ?? {}) },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function readKubeconfig(path: string): string {
  return readFileSync(path, 'utf8');
}
