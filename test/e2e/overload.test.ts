import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRealServer } from '../../internal/apiserver/testing/real.js';
import { listen } from '../../internal/apiserver/server.js';
import { kubectl, kubectlBinary, readKubeconfig, removeDir, useKplane } from './harness.js';

// Overload: with one mutating request in flight and no queue, a flood of creates from the admin's
// client certificate gets 429 with Retry-After beyond the one seat (the built binary). Then, so that
// kubectl's first attempt is certainly refused, the apiserver over the real registry in this process
// with a create the test holds in its seat: kubectl gets 429 + Retry-After, retries, and succeeds.

const kplane = useKplane({ args: ['--max-mutating-requests-inflight', '1', '--queue-length-per-user', '0', '--plugins', 'none'], readyTimeoutMs: 90_000 });

function clientCert(kubeconfig: string) {
  const kc = parse(readKubeconfig(kubeconfig)) as { users: { user: Record<string, string> }[] };
  const u = kc.users[0]!.user;
  return { cert: Buffer.from(u['client-certificate-data']!, 'base64'), key: Buffer.from(u['client-key-data']!, 'base64') };
}

/** kubectl without blocking this process (the flood runs in it); stderr() is what it printed so far. */
function kubectlAsync(kubeconfig: string, args: string[]): { done: Promise<{ code: number; stderr: string; stdout: string }>; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const done = new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
    const p = spawn(kubectlBinary(), ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: join(dirname(kubeconfig), 'home') } });
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { done, stderr: () => stderr };
}

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('overload', () => {
  it('a create flood beyond the one mutating seat gets 429 with Retry-After; kubectl create sent into it succeeds', async () => {
    const kp = kplane();
    // Warm kubectl's discovery cache (reads are not limited here).
    expect(kubectl(kp.kubeconfig, ['get', 'configmaps']).code).toBe(0);
    const agent = new Agent({ ...clientCert(kp.kubeconfig), rejectUnauthorized: false, keepAlive: true, maxSockets: 20 });
    const codes = new Map<number, number>();
    let retryAfter: string | undefined;
    let flooding = true;
    let sent = 0;
    const one = () =>
      new Promise<void>((resolve) => {
        const name = `flood-${sent++}`;
        const headers = { 'content-type': 'application/json' };
        const r = request({ host: '127.0.0.1', port: kp.port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers, agent }, (res) => {
          codes.set(res.statusCode!, (codes.get(res.statusCode!) ?? 0) + 1);
          if (res.statusCode === 429) retryAfter ??= res.headers['retry-after'] as string;
          res.resume();
          res.on('end', resolve);
        });
        r.on('error', () => resolve());
        r.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }));
      });
    const loops = Array.from({ length: 20 }, async () => {
      while (flooding) await one();
    });
    await new Promise((r) => setTimeout(r, 1000));
    // kubectl sent into the flood. The flood (the same user, no queue) stops once kubectl was
    // refused or finished: left running on a loaded machine, it kept the seat from all ten of
    // kubectl's retries. Whether kubectl's first POST found the seat taken is left to chance here;
    // the next test makes it certain.
    const k = kubectlAsync(kp.kubeconfig, ['create', 'configmap', 'calm', '-v=6']);
    let finished = false;
    void k.done.then(() => (finished = true));
    await until('kubectl to be refused or to finish', 60_000, () => finished || / 429 Too Many Requests/.test(k.stderr()));
    flooding = false;
    await Promise.all(loops);
    agent.destroy();
    expect(codes.get(429) ?? 0, JSON.stringify([...codes])).toBeGreaterThan(0);
    expect(codes.get(201) ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].sort()).toEqual([201, 429]);
    expect(retryAfter).toBe('1');
    const r = await k.done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(kubectl(kp.kubeconfig, ['get', 'configmap', 'calm', '-o', 'name']).stdout.trim()).toBe('configmap/calm');
  });

  it('kubectl create, refused 429 with Retry-After while every mutating seat is held, retries and succeeds', async () => {
    const rs = await createRealServer({ limits: { maxMutatingInFlight: 1, queueLengthPerUser: 0 } });
    // Test-only hold: creates named hold-* wait in their seat until the test opens the gate.
    let entered = 0;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const handle = rs.handler.handle.bind(rs.handler);
    rs.handler.handle = async (req: Parameters<typeof handle>[0]) => {
      if (req.verb === 'create' && String((req.body as { metadata?: { name?: string } }).metadata?.name).startsWith('hold-')) {
        entered++;
        await gate;
      }
      return handle(req);
    };
    const { port } = await listen(rs.app, '127.0.0.1', 0);
    const dir = mkdtempSync(join(tmpdir(), 'kplane-overload-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: c',
        'clusters:', '- name: c', '  cluster:', `    server: http://127.0.0.1:${port}`,
        'users:', '- name: u', '  user:', '    token: kubectl',
        'contexts:', '- name: c', '  context:', '    cluster: c', '    user: u', '',
      ].join('\n'));
      // (kubectl runs asynchronously: this process serves it.) Discovery is cached: the create's POST comes first.
      const warm = await kubectlAsync(kubeconfig, ['get', 'configmaps']).done;
      expect(warm.code, warm.stderr).toBe(0);
      const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hold-1' } });
      const held = fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`, { method: 'POST', body: cm, headers: { authorization: 'Bearer holder', 'content-type': 'application/json' } });
      await until('the held create to take the one mutating seat', 10_000, () => entered === 1);
      const k = kubectlAsync(kubeconfig, ['create', 'configmap', 'calm', '--from-literal=k=v', '-v=8']);
      // kubectl's first POST is answered while the seat is held: nothing frees it before this line.
      await until('kubectl to be refused with 429', 60_000, () => / 429 Too Many Requests/.test(k.stderr()));
      open();
      expect((await held).status).toBe(201);
      const r = await k.done;
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      // -v=8: each round trip logs its request line, then its status and headers.
      const posts = [...r.stderr.matchAll(/\] POST http:\S+\/configmaps\S*\n(?:.*\n)*?.*Response Status: (\d+)/g)].map((m) => Number(m[1]));
      expect(posts, r.stderr.slice(-3000)).toEqual([429, 201]);
      expect(r.stderr).toMatch(/Retry-After: 1\n/);
      expect(r.stderr).toMatch(/Got a Retry-After 1s response for attempt 1/);
      expect(r.stdout).toContain('configmap/calm created');
      const got = await rs.handler.handle({ user: { name: 'admin', groups: ['system:masters'] }, group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'calm', verb: 'get', params: {} });
      expect((got.body as { data?: Record<string, string> }).data).toEqual({ k: 'v' });
    } finally {
      open();
      await rs.app.close();
      removeDir(dir);
    }
  });
});
