import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl, removeDir } from './harness.js';
import { HaCluster, haproxyBinary, waitFor } from './ha-harness.js';
import { podTimeline } from './pod-timeline.js';
import { holderOf, killHolder, nodeNames, readLease, SHORT_LEASE_FLAGS } from './takeover-harness.js';

// On demand only (`npm run bench:ha-rollout`; skipped in `npm test`): three nodes behind HAProxy,
// each playing 3 hollow nodes. A Deployment of 30 replicas is rolled out once undisturbed (the
// baseline), then again while the node holding the deployment controller's Lease is killed with
// kill -9 (and restarted, as a supervisor would, so its hollow nodes come back). The rollout must
// complete, and no ReplicaSet may ever have created more pods than its replica slots (every pod
// added is seen by a watch, so a pod created twice and deleted at once still counts). Reports the
// pause the kill caused. Leader election timings: 4s/3s/500ms, or the defaults with
// HA_ROLLOUT_DEFAULT_TIMINGS=1. HA_ROLLOUT_OUT=file writes the figures as JSON.

const ON = !!process.env.HA_ROLLOUT && !!haproxyBinary();
const REPLICAS = 30;
const NS = 'rollout';
const log = (msg: string) => console.log(`[ha-rollout] ${msg}`);

describe.skipIf(!ON)('rollout of 30 replicas while the deployment controller\'s node is killed (npm run bench:ha-rollout)', () => {
  const timings = process.env.HA_ROLLOUT_DEFAULT_TIMINGS ? [] : SHORT_LEASE_FLAGS;
  const c = new HaCluster([...timings, '--hollow-nodes', '3', '--hollow-node-pod-start', '1s']);

  afterAll(async () => {
    await c.shutdown();
    if (c.hasDir && !process.env.KPLANE_KEEP_HA) removeDir(c.dir);
  }, 60_000);

  it('completes, creates no pod twice for one replica slot, and reports the pause', async () => {
    c.readyTimeoutMs = 180_000;
    await c.found();
    await c.join();
    await c.join();
    await c.startHaproxy(c.nodes);
    const kc = c.kubeconfig;
    const k = async (args: string[], timeoutMs = 400_000) => {
      let r = kubectl(kc, ['-n', NS, ...args], { timeoutMs });
      // HAProxy may have no healthy server for a moment on a loaded machine (or right after the kill).
      // A retried create may find what its first attempt stored.
      for (let i = 0; i < 10 && r.code !== 0 && /Unable to connect|EOF|connection refused/.test(r.stderr); i++) {
        await new Promise((res) => setTimeout(res, 2000));
        r = kubectl(kc, ['-n', NS, ...args], { timeoutMs });
        if (args[0] === 'create' && /already exists/.test(r.stderr)) return '';
      }
      expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await waitFor('kubectl through HAProxy', 120_000, async () => (kubectl(kc, ['get', '--raw', '/readyz']).code === 0 ? true : undefined), 200);
    let names = await nodeNames(c.creds(), c.nodes);
    await waitFor('9 Ready hollow nodes', 180_000, async () => {
      const r = kubectl(kc, ['get', 'nodes', '--no-headers']);
      return r.stdout.split('\n').filter((l) => /\sReady\s/.test(l)).length === 9 ? true : undefined;
    }, 1000);
    await k(['create', 'namespace', NS]);
    const pods = podTimeline(c.creds(), c.haproxyPort, NS);
    try {
      await k(['create', 'deployment', 'web', '--image=nginx:1', `--replicas=${REPLICAS}`]);
      await k(['rollout', 'status', 'deployment/web', '--timeout=300s']);

      // Baseline: the same rollout with every node up.
      let t0 = Date.now();
      await k(['set', 'image', 'deployment/web', 'nginx=nginx:2']);
      await k(['rollout', 'status', 'deployment/web', '--timeout=300s']);
      const baselineMs = Date.now() - t0;

      // The rollout under kill: kill -9 the deployment controller's holder once the new ReplicaSet has pods.
      // The ReplicaSets so far, from the API (the watch may lag behind on a loaded machine).
      const owners = new Set((await k(['get', 'rs', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' '));
      const holdersBefore = { deployment: (await holderOf(c, names, 'deployment-controller')).lease.holder, replicaset: (await holderOf(c, names, 'replicaset-controller')).lease.holder };
      t0 = Date.now();
      await k(['set', 'image', 'deployment/web', 'nginx=nginx:3']);
      const newRs = await waitFor('the new ReplicaSet\'s first pod', 120_000, async () => [...pods.byOwner().keys()].find((o) => !owners.has(o)), 20);
      const tKill = Date.now();
      const t = await killHolder(c, names, 'deployment-controller', 'SIGKILL', 120_000);
      const killedAfter = Date.now() - t0;
      log(`killed ${t.victim.name} ${killedAfter} ms into the rollout; deployment-controller ${t.old.holder} → ${t.now.holder} after ${t.ms} ms (replicaset-controller was held by ${holdersBefore.replicaset})`);
      c.restart(t.victim, false);
      await k(['rollout', 'status', 'deployment/web', '--timeout=400s']);
      const underKillMs = Date.now() - t0;
      await t.victim.waitReady(180_000);
      names = await nodeNames(c.creds(), c.nodes);
      const rsAfter = await readLease(c.creds(), c.nodes.find((n) => n.running)!, 'replicaset-controller');

      // Every ReplicaSet created exactly its replica slots: 30 pods each, never more alive at once.
      const byOwner = pods.byOwner();
      const created = Object.fromEntries([...byOwner].map(([o, ps]) => [o, ps.length]));
      const peaks = Object.fromEntries([...byOwner.keys()].map((o) => [o, pods.peakAlive(o)]));
      // The new ReplicaSet's progress: when its last pod became ready, counted from the kill.
      const lastReady = Math.max(...(byOwner.get(newRs) ?? []).map((p) => p.readyAt ?? NaN));
      const figures = { replicas: REPLICAS, baselineMs, underKillMs, pauseMs: underKillMs - baselineMs, killedAfterMs: killedAfter, takeoverMs: t.ms, newRsLastReadyAfterKillMs: lastReady - tKill, watchRelists: pods.relists(), created, peaks, leases: { before: holdersBefore, deploymentAfter: t.now.holder, replicasetAfter: rsAfter?.holder } };
      log(JSON.stringify(figures));
      if (process.env.HA_ROLLOUT_OUT) writeFileSync(process.env.HA_ROLLOUT_OUT, JSON.stringify(figures, null, 2));
      expect(byOwner.size, `ReplicaSets seen: ${JSON.stringify(created)}`).toBe(3);
      for (const [owner, n] of Object.entries(created)) {
        expect(n, `pods created for ${owner}`).toBe(REPLICAS);
        expect(peaks[owner], `most pods of ${owner} alive at once`).toBeLessThanOrEqual(REPLICAS);
      }
      expect(await k(['get', 'deployment', 'web', '-o', 'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}'])).toBe(`${REPLICAS}/${REPLICAS}`);
    } finally {
      pods.stop();
    }
  }, 1_800_000);
});
