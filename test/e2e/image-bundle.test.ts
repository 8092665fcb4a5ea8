import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, kubectl, removeDir, waitReady } from './harness.js';

// No Docker engine runs here, so this test does what the Dockerfile's stages do: install only the
// production dependencies into a clean folder (compiling better-sqlite3 as the build stage does),
// copy the bundle and runtime files the image copies, and start the entrypoint from there.
const dir = mkdtempSync(join(tmpdir(), 'kplane-image-'));
afterAll(() => removeDir(dir));

function dockerfileCopies(): string[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  return [...runtime.matchAll(/^COPY (?!--from)(\S+)/gm)].map((m) => m[1]!);
}

describe('container image bundle', () => {
  it('the Dockerfile runs as non-root, with a data volume, ports 6443 (API) and 6444 (Raft peers), a /readyz health check and `kplane server`', () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^FROM node:20\S* AS build$/m);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^VOLUME \["\/var\/lib\/kplane"\]$/m);
    expect(text).toMatch(/^EXPOSE 6443 6444$/m);
    expect(text).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    expect(text).toMatch(/^ENTRYPOINT \["\/opt\/kplane\/bin\/kplane", "server"/m);
    expect(dockerfileCopies().sort()).toEqual(['bin', 'manifests', 'package.json', 'third_party']);
  });

  it('installs production dependencies only, and the copied bundle serves kubectl', async () => {
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    // Asynchronous: a synchronous child would block vitest's worker for minutes (its RPC times out).
    await promisify(execFile)('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 });
    expect(existsSync(join(dir, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'better-sqlite3'))).toBe(true);
    for (const p of ['dist', 'bin', 'third_party', 'manifests']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });

    const port = await freePort();
    const data = join(dir, 'data');
    const proc = spawn(join(dir, 'bin', 'kplane'), ['server', '--data-dir', data, '--listen', `127.0.0.1:${port}`], { stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
    try {
      await waitReady(port, 60_000, proc);
      const r = kubectl(join(data, 'kubeconfig'), ['get', 'ns', '-o', 'name']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('namespace/kube-system');
      const cm = kubectl(join(data, 'kubeconfig'), ['create', 'cm', 'from-image', '--from-literal=a=b']);
      expect(cm.code, cm.stderr).toBe(0);
    } finally {
      proc.kill('SIGTERM');
    }
  }, 600_000);
});
