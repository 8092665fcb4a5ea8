import { spawn } from 'node:child_process';
import { Agent, request } from 'node:https';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, kubectlBinary, readKubeconfig, useKplane } from './harness.js';

// Overload: with the in-flight limits set to 1, a flood of requests from the admin's client
// certificate fills its queue; excess requests get 429 with Retry-After, and kubectl, sent into the
// flood, is refused too, retries as told and succeeds.

const kplane = useKplane({ args: ['--max-requests-inflight', '1', '--max-mutating-requests-inflight', '1', '--plugins', 'none'] });

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
    // Warm kubectl's discovery cache so the measured command is one GET.
    expect(kubectl(kp.kubeconfig, ['get', 'configmaps']).code).toBe(0);
    const agent = new Agent({ ...clientCert(kp.kubeconfig), rejectUnauthorized: false, keepAlive: true, maxSockets: 200 });
    const codes = new Map<number, number>();
    let retryAfter: string | undefined;
    let flooding = true;
    const one = () =>
      new Promise<void>((resolve) => {
        const r = request({ host: '127.0.0.1', port: kp.port, path: '/api/v1/namespaces/default/configmaps', agent }, (res) => {
          codes.set(res.statusCode!, (codes.get(res.statusCode!) ?? 0) + 1);
          if (res.statusCode === 429) retryAfter ??= res.headers['retry-after'] as string;
          res.resume();
          res.on('end', resolve);
        });
        r.on('error', () => resolve());
        r.end();
      });
    const loops = Array.from({ length: 200 }, async () => {
      while (flooding) await one();
    });
    await new Promise((r) => setTimeout(r, 1000));
    const got = kubectlAsync(kp.kubeconfig, ['get', 'configmaps', '-v=6']);
    await new Promise((r) => setTimeout(r, 4000));
    flooding = false;
    await Promise.all(loops);
    agent.destroy();
    const k = await got;
    expect(codes.get(429) ?? 0).toBeGreaterThan(0);
    expect(codes.get(200) ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].sort()).toEqual([200, 429]);
    expect(retryAfter).toBe('1');
    // -v=6 logs every response: kubectl saw a 429 itself, then succeeded.
    expect(k.stderr).toMatch(/ 429 Too Many Requests /);
    expect(k.code, k.stderr.slice(-2000)).toBe(0);
  });
});
