import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from '../../internal/backends/etcd/testing/etcd-cluster.js';
import { adminCreds, adminRequest, haproxyBinary, renderHaproxyConfig, SHIPPED_HAPROXY_CFG, waitFor } from './ha-harness.js';
import { freePort, hasBinary, kubectl, kubectlBinary, removeDir, startKplane, type RunningKplane } from './harness.js';
import { resumingWatch } from './watch-client.js';

// kplane on a real 3-member etcd with real kubectl: the everyday kubectl steps, etcd members
// failing under it, a kplane restart, and two kplane nodes on one etcd behind HAProxy.

const ENCRYPTION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys:\n      - name: k1\n        secret: ${randomBytes(32).toString('base64')}\n  - identity: {}\n`;
const SMOKE = process.env.KPLANE_SMOKE_SCRIPT ?? '/work/shared/bench/kubectl-smoke.sh';
const NEED_CONTROLLERS = new Set(['get rs (controller ran)', 'get pods (3 created)']);
const haveEtcd = etcdBinary() !== undefined;
// Every node runs every default plugin; a first start took over 60 s at load 10-20 (as HA nodes').
const START_MS = 150_000;
if (!haveEtcd) describe.skip(NO_ETCD, () => it('needs etcd', () => {}));

describe.runIf(haveEtcd)('kplane on a 3-member etcd', () => {
  let etcd: EtcdCluster;
  let kp: RunningKplane;
  const extra: ChildProcess[] = [];
  const dirs: string[] = [];
  // Every node of the cluster runs with the same encryption config (Secrets encrypted at rest).
  let encArgs: string[] = [];
  const etcdArgs = () => ['--datastore', 'etcd', '--etcd-servers', etcd.endpoints.join(','), ...encArgs];
  const kc = (args: string[], version = '1.32') => kubectl(kp.kubeconfig, ['--request-timeout', '20s', ...args], { version, timeoutMs: 60_000 });

  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
    const encDir = mkdtempSync(join(tmpdir(), 'kplane-etcd-enc-'));
    dirs.push(encDir);
    writeFileSync(join(encDir, 'encryption.yaml'), ENCRYPTION_CONFIG);
    encArgs = ['--encryption-provider-config', join(encDir, 'encryption.yaml')];
    kp = await startKplane({ args: etcdArgs(), readyTimeoutMs: START_MS });
    dirs.push(kp.dataDir);
  }, 60_000 + START_MS);
  afterAll(async () => {
    for (const p of extra) if (p.exitCode === null) p.kill('SIGKILL');
    await kp?.kill();
    await etcd?.close();
    for (const d of dirs) removeDir(d);
  });

  describe.skipIf(!existsSync(SMOKE))('kubectl-smoke.sh', () => {
    // One kubectl version here (kubectl-smoke.test.ts covers 1.27 and 1.32 on the embedded store).
    for (const version of ['1.32'].filter((v) => hasBinary(`kubectl.${v}`))) {
      it(`passes on etcd as on the embedded store with kubectl ${version} (controller steps aside)`, () => {
        const r = spawnSync('bash', [SMOKE, kp.kubeconfig, kubectlBinary(version)], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, HOME: join(dirname(kp.kubeconfig), 'home') } });
        const steps = [...r.stdout.matchAll(/^(PASS|FAIL) (.+)$/gm)].map((m) => ({ ok: m[1] === 'PASS', name: m[2]! }));
        expect(steps.length, r.stdout + r.stderr).toBe(17);
        expect(steps.filter((s) => !s.ok && !NEED_CONTROLLERS.has(s.name)).map((s) => s.name), r.stdout).toEqual([]);
      }, 120_000);
    }
  });

  it('with encryption at rest, a Secret\'s value is not readable in etcd, only through the API', async () => {
    const marker = `plaintext-${randomBytes(6).toString('hex')}`;
    expect(kc(['create', 'secret', 'generic', 'db', '-n', 'default', `--from-literal=password=${marker}`]).code).toBe(0);
    const raw = await etcd.rawGet('/registry/secrets/default/db');
    expect(raw?.subarray(0, 20).toString()).toBe('k8s:enc:aesgcm:v1:k1');
    for (const form of [marker, Buffer.from(marker).toString('base64')]) expect(raw!.includes(form)).toBe(false);
    // The check can see a plain value: a ConfigMap's is there as written.
    expect(kc(['create', 'configmap', 'plain', '-n', 'default', `--from-literal=note=${marker}`]).code).toBe(0);
    expect((await etcd.rawGet('/registry/configmaps/default/plain'))!.includes(marker)).toBe(true);
    expect(Buffer.from(kc(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}']).stdout, 'base64').toString()).toBe(marker);
  }, 60_000);

  it('the leader down: writes go on; two down: 503 naming etcd and /readyz false; both back: it recovers', async () => {
    expect(kc(['create', 'namespace', 'fail']).code).toBe(0);
    // The leader, so the hard case is always played: a follower forwards a write to a dead leader,
    // where it is dropped unanswered; kplane resolves it and sends it again to the new leader.
    const leader = await etcd.leader();
    const follower = [0, 1, 2].find((i) => i !== leader)!;
    await etcd.stop(leader);
    for (let i = 0; i < 5; i++) expect(kc(['create', 'configmap', `one-down-${i}`, '-n', 'fail']).stderr).toBe('');
    await etcd.stop(follower);
    const creds = adminCreds(kp.dataDir);
    // The last member loses its leader within an election timeout; the probe notices a second later.
    await waitFor('/readyz to fail its etcd check', 15_000, async () => ((await adminRequest(creds, kp.port, 'GET', '/readyz?verbose')).body.includes('[-]etcd') ? true : undefined));
    for (const [method, path, body] of [
      ['GET', '/api/v1/namespaces/fail/configmaps', undefined],
      ['POST', '/api/v1/namespaces/fail/configmaps', { metadata: { name: 'no-quorum' } }],
    ] as const) {
      const r = await adminRequest(creds, kp.port, method, path, body, 15_000);
      expect(r.status, r.body).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', code: 503, message: expect.stringMatching(/etcd/) });
    }
    etcd.start(follower);
    etcd.start(leader);
    await waitFor('a write after the members return', 60_000, async () => (kc(['create', 'configmap', 'back', '-n', 'fail']).code === 0 ? true : undefined), 500);
    await waitFor('/readyz', 15_000, async () => ((await adminRequest(creds, kp.port, 'GET', '/readyz')).status === 200 ? true : undefined));
    const names = kc(['get', 'configmaps', '-n', 'fail', '-o', 'name']).stdout;
    for (const n of ['one-down-0', 'one-down-4', 'back']) expect(names).toContain(`configmap/${n}`);
    expect(names).not.toContain('no-quorum');
  }, 120_000);

  it('a restarted kplane finds everything, with the etcd settings remembered by its data dir', async () => {
    await kp.stop();
    kp = await startKplane({ dataDir: kp.dataDir, port: kp.port, args: encArgs, readyTimeoutMs: START_MS });
    const names = kc(['get', 'configmaps', '-n', 'fail', '-o', 'name']).stdout;
    expect(names).toContain('configmap/one-down-0');
    expect(names).toContain('configmap/back');
  }, 30_000 + START_MS);

  it.runIf(haproxyBinary() !== undefined)('two kplane nodes on one etcd behind HAProxy: kill one, kubectl goes on and a watch resumes on the other', async () => {
    const dir = join(kp.dataDir, '..', `${kp.dataDir.split('/').pop()}-lb`);
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    const second = { port: await freePort(), dataDir: join(dir, 'node2') };
    const lbPort = await freePort();
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, renderHaproxyConfig(readFileSync(SHIPPED_HAPROXY_CFG, 'utf8'), `127.0.0.1:${lbPort}`, [
      { name: 'node1', address: `127.0.0.1:${kp.port}` },
      { name: 'node2', address: `127.0.0.1:${second.port}` },
    ]));
    const lb = spawn(haproxyBinary()!, ['-db', '-f', cfg], { stdio: 'ignore' });
    extra.push(lb);
    const creds = adminCreds(kp.dataDir);
    // node2 is not up yet, so HAProxy sends the watch to node1.
    await waitFor('HAProxy', 10_000, async () => ((await adminRequest(creds, lbPort, 'GET', '/readyz')).status === 200 ? true : undefined));
    expect(kc(['create', 'namespace', 'lb']).code).toBe(0);
    const rv = JSON.parse((await adminRequest(creds, lbPort, 'GET', '/api/v1/namespaces/lb/configmaps')).body).metadata.resourceVersion as string;
    const watch = resumingWatch(creds, lbPort, '/api/v1/namespaces/lb/configmaps', rv);
    try {
      const node2 = await startKplane({ dataDir: second.dataDir, port: second.port, args: etcdArgs(), readyTimeoutMs: START_MS });
      extra.push(node2.proc);
      dirs.push(node2.dataDir);
      // One cluster: node2 adopted node1's CA from etcd, so node1's admin credentials work there.
      expect(readFileSync(join(node2.dataDir, 'pki', 'ca.crt'), 'utf8')).toBe(readFileSync(join(kp.dataDir, 'pki', 'ca.crt'), 'utf8'));
      const viaLb = join(dir, 'kubeconfig');
      writeFileSync(viaLb, readFileSync(kp.kubeconfig, 'utf8').replace(/server: \S+/, `server: https://127.0.0.1:${lbPort}`));
      const lbc = (args: string[]) => kubectl(viaLb, ['--request-timeout', '20s', ...args], { timeoutMs: 30_000 });
      expect(lbc(['create', 'configmap', 'before', '-n', 'lb']).code).toBe(0);
      await waitFor('the watch to see "before"', 10_000, async () => (watch.names().includes('before') ? true : undefined));
      // Let HAProxy's checks mark node2 up, then kill the node serving the watch.
      await new Promise((r) => setTimeout(r, 2000));
      await kp.kill();
      for (let i = 0; i < 3; i++) expect(lbc(['create', 'configmap', `after-${i}`, '-n', 'lb']).stderr).toBe('');
      expect(lbc(['get', 'configmaps', '-n', 'lb', '-o', 'name']).stdout).toContain('configmap/after-2');
      await waitFor('the watch to resume on node2', 20_000, async () => (watch.names().includes('after-2') ? true : undefined));
      expect(watch.names()).toEqual(['before', 'after-0', 'after-1', 'after-2']);
      expect(watch.reconnects()).toBeGreaterThanOrEqual(1);
      await node2.stop();
    } finally {
      watch.stop();
    }
  }, 60_000 + START_MS);
});

