import { spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, kubectlBinary, readKubeconfig, useKplane } from './harness.js';

// Overload: with one mutating request in flight and no queue, a flood of creates from the admin's
// client certificate gets 429 with Retry-After beyond the one seat, and kubectl, sent into the flood,
// is refused too, retries as told and succeeds. (Creates wait for the Raft commit, so they overlap.)

const kplane = useKplane({ args: ['--max-mutating-requests-inflight', '1', '--queue-length-per-user', '0', '--plugins', 'none'], readyTimeoutMs: 90_000 });

function clientCert(kubeconfig: string) {
  const kc = parse(readKubeconfig(kubeconfig)) as { users: { user: Record<string, string> }[] };
  const u = kc.users[0]!.user;
  return { cert: Buffer.from(u['client-certificate-data']!, 'base64'), key: Buffer.from(u['client-key-data']!, 'base64') };
}

/** kubectl without blocking this process (the flood runs in it). */
function kubectlAsync(kubeconfig: string, args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(kubectlBinary(), ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: join(dirname(kubeconfig), 'home') } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('overload', () => {
  it('answers excess requests 429 with Retry-After; kubectl retries and succeeds', async () => {
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
    // Three creates one after another in the flood: each finds the one seat taken most of the time.
    const runs: { code: number; stderr: string }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await kubectlAsync(kp.kubeconfig, ['create', 'configmap', `calm-${i}`, '-v=6']));
    flooding = false;
    await Promise.all(loops);
    agent.destroy();
    expect(codes.get(429) ?? 0, JSON.stringify([...codes])).toBeGreaterThan(0);
    expect(codes.get(201) ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].sort()).toEqual([201, 429]);
    expect(retryAfter).toBe('1');
    for (const k of runs) expect(k.code, k.stderr.slice(-2000)).toBe(0);
    // kubectl's own requests land in the flood, but on an idle machine they often find the seat
    // free (a create holds it for a few ms), so whether kubectl itself was refused with 429 and
    // retried is not asserted here (it would fail at random). What holds
    // either way: the flood is refused with 429 + Retry-After and kubectl's creates all exist.
    expect(kubectl(kp.kubeconfig, ['get', 'configmap', 'calm-0', 'calm-1', 'calm-2', '-o', 'name']).stdout.trim().split('\n')).toHaveLength(3);
  });
});
