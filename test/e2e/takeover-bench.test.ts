import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl, removeDir } from './harness.js';
import { HaCluster, type HaNode, haproxyBinary, waitFor } from './ha-harness.js';
import { holderOf, type KillKind, killHolder, nodeNames, SHORT_LEASE_FLAGS, summary } from './takeover-harness.js';

// On demand only (`npm run bench:takeover`; skipped in `npm test`): how long the controllers' Lease
// stays without a holder when its node dies. Three nodes behind HAProxy; TAKEOVER_ROUNDS (default
// 10) kills of each kind: kill -9 with the default timings (15s/10s/2s), kill -9 with 4s/3s/500ms,
// and SIGTERM (the holder releases its Lease on shutdown). A takeover is the new holder's
// acquireTime minus the moment of the signal; the killed node is restarted before the next round.
// TAKEOVER_OUT=file writes the figures as JSON.

const ON = !!process.env.TAKEOVER_BENCH && !!haproxyBinary();
const ROUNDS = Number(process.env.TAKEOVER_ROUNDS ?? 10);
const LEASE = 'kube-controller-manager';
const results: Record<string, { ms: number[]; stats?: ReturnType<typeof summary> }> = {};

async function cluster(args: string[]): Promise<{ c: HaCluster; names: Map<string, HaNode> }> {
  const c = new HaCluster(args);
  c.readyTimeoutMs = 180_000;
  await c.found();
  await c.join();
  await c.join();
  await c.startHaproxy(c.nodes);
  await waitFor('kubectl through HAProxy', 120_000, async () => (kubectl(c.kubeconfig, ['get', '--raw', '/readyz']).code === 0 ? true : undefined), 200);
  return { c, names: await nodeNames(c.creds(), c.nodes) };
}

async function rounds(label: string, args: string[], kind: KillKind): Promise<void> {
  const { c, names: first } = await cluster(args);
  let names = first;
  const ms: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const t = await killHolder(c, names, LEASE, kind, 120_000);
      ms.push(t.ms);
      console.log(`[takeover] ${label} #${i + 1}: ${t.victim.name} (${t.old.holder}) → ${t.now.holder} in ${t.ms} ms`);
      c.restart(t.victim, false);
      await t.victim.waitReady(180_000);
      names = await nodeNames(c.creds(), c.nodes);
      // Every node campaigns again (the restarted one has seen the Lease) before the next kill.
      await holderOf(c, names, LEASE);
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    await c.shutdown();
    removeDir(c.dir);
  }
  results[label] = { ms, stats: summary(ms) };
  console.log(`[takeover] ${label}: ${JSON.stringify(summary(ms))}`);
}

describe.skipIf(!ON)('takeover benchmark (npm run bench:takeover)', () => {
  afterAll(() => {
    const table = Object.entries(results).map(([k, v]) => `${k.padEnd(28)} n=${v.stats!.n} min ${v.stats!.min} ms, median ${v.stats!.median} ms, max ${v.stats!.max} ms`);
    console.log(`[takeover] takeover of Lease ${LEASE} (signal → new holder's acquireTime):\n${table.join('\n')}`);
    if (process.env.TAKEOVER_OUT) writeFileSync(process.env.TAKEOVER_OUT, JSON.stringify(results, null, 2));
  });

  it('kill -9, default flags (15s/10s/2s)', async () => {
    await rounds('kill -9, default flags', [], 'SIGKILL');
    expect(results['kill -9, default flags']!.ms).toHaveLength(ROUNDS);
  }, 3_600_000);

  it('kill -9, 4s/3s/500ms', async () => {
    await rounds('kill -9, 4s/3s/500ms', SHORT_LEASE_FLAGS, 'SIGKILL');
    expect(results['kill -9, 4s/3s/500ms']!.ms).toHaveLength(ROUNDS);
  }, 3_600_000);

  it('SIGTERM, default flags', async () => {
    await rounds('SIGTERM, default flags', [], 'SIGTERM');
    expect(results['SIGTERM, default flags']!.ms).toHaveLength(ROUNDS);
  }, 3_600_000);
});
