import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, type RunningKplane, httpsGet, kubectl, removeDir, startKplane } from './harness.js';

// The server's life: first start writes credentials and a kubeconfig, a restart reuses them and
// keeps the data, SIGTERM ends it cleanly, anonymous callers only reach health and version (as upstream's defaults: 403 elsewhere, 401 for bad credentials).
const started: RunningKplane[] = [];
afterAll(async () => {
  for (const s of started) await s.kill();
  if (started[0]) removeDir(started[0].dataDir);
});

describe('server lifecycle', () => {
  it('creates a CA, a serving certificate with the expected SANs, and an admin kubeconfig', async () => {
    const kp = await startKplane({ args: ['--advertise-address', '192.0.2.10'] });
    started.push(kp);
    const serving = new X509Certificate(readFileSync(join(kp.dataDir, 'pki', 'apiserver.crt')));
    for (const san of ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:127.0.0.1', 'IP Address:10.96.0.1', 'IP Address:192.0.2.10']) {
      expect(serving.subjectAltName).toContain(san);
    }
    const admin = new X509Certificate(readFileSync(join(kp.dataDir, 'pki', 'admin.crt')));
    expect(admin.subject).toContain('CN=kubernetes-admin');
    expect(admin.subject).toContain('O=system:masters');
    const r = kubectl(kp.kubeconfig, ['get', 'ns', 'default', '-o', 'name']);
    expect(r.stdout.trim()).toBe('namespace/default');
    expect(kubectl(kp.kubeconfig, ['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']).stdout).toBe('10.96.0.1');
  });

  it('lets anonymous callers reach only health and version (403 elsewhere), and answers a bad token with 401', async () => {
    const kp = started[0]!;
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) expect((await httpsGet(kp.port, p)).status).toBe(200);
    const verbose = await httpsGet(kp.port, '/readyz?verbose');
    expect(verbose.body).toContain('[+]ping ok');
    expect(verbose.body).toContain('readyz check passed');
    const anon = await httpsGet(kp.port, '/api/v1/namespaces');
    expect(anon.status).toBe(403);
    expect(JSON.parse(anon.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope',
    });
    const discovery = await httpsGet(kp.port, '/api');
    expect(JSON.parse(discovery.body)).toMatchObject({ code: 403, message: 'forbidden: User "system:anonymous" cannot get path "/api"' });
    const bad = await httpsGet(kp.port, '/api/v1/namespaces', { authorization: 'Bearer not-a-token' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('prints the admin kubeconfig with `kplane kubeconfig` and its version with `kplane version`', () => {
    const kp = started[0]!;
    const out = spawnSync(BIN, ['kubeconfig', '--data-dir', kp.dataDir, '--server', 'https://example.test:6443'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('server: https://example.test:6443');
    expect(out.stdout).toContain('client-certificate-data:');
    const v = spawnSync(BIN, ['version'], { encoding: 'utf8' });
    expect(v.stdout).toMatch(/^kplane \d+\.\d+\.\d+ \(Kubernetes API v1\.\d+\.\d+/);
    const missing = spawnSync(BIN, ['kubeconfig', '--data-dir', join(kp.dataDir, 'nope')], { encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
  });

  it('shuts down cleanly on SIGTERM, even with a watch open, and keeps everything across a restart', async () => {
    const kp = started[0]!;
    expect(kubectl(kp.kubeconfig, ['create', 'cm', 'survivor', '--from-literal=k=v']).code).toBe(0);
    const caBefore = readFileSync(join(kp.dataDir, 'pki', 'ca.crt'), 'utf8');
    const { spawn } = await import('node:child_process');
    const watch = spawn('kubectl', ['--kubeconfig', kp.kubeconfig, 'get', 'cm', '-w'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const code = await kp.stop();
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    watch.kill();
    const again = await startKplane({ dataDir: kp.dataDir, port: kp.port });
    started.push(again);
    expect(readFileSync(join(kp.dataDir, 'pki', 'ca.crt'), 'utf8')).toBe(caBefore);
    const r = kubectl(again.kubeconfig, ['get', 'cm', 'survivor', '-o', 'jsonpath={.data.k}']);
    expect(r.stdout, r.stderr).toBe('v');
    expect(kubectl(again.kubeconfig, ['get', 'ns', '-o', 'name']).stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
  });

  it('keeps acknowledged writes after kill -9', async () => {
    const kp = started[started.length - 1]!;
    for (let i = 0; i < 20; i++) expect(kubectl(kp.kubeconfig, ['create', 'cm', `acked-${i}`]).code).toBe(0);
    await kp.kill();
    const again = await startKplane({ dataDir: kp.dataDir, port: kp.port });
    started.push(again);
    const names = kubectl(again.kubeconfig, ['get', 'cm', '-o', 'name']).stdout;
    for (let i = 0; i < 20; i++) expect(names).toContain(`configmap/acked-${i}\n`);
  });
});
