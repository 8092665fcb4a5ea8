import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, kubectl, removeDir } from './harness.js';
import { adminRequest, HaCluster, type HaNode, haproxyBinary, waitFor } from './ha-harness.js';
import { handLease, holderNode, holderOf, hostIdentity, killHolder, logLines, nodeNames, readLease, SHORT_LEASE_FLAGS, watchLease, watchPath } from './takeover-harness.js';

// Plugins under Lease election with real processes: three `kplane server` nodes (raftsqlite) behind
// HAProxy from the shipped config, every node running the default plugins plus the fencing-probe
// diagnostic plugin, with short leader election timings (4s/3s/500ms). The node holding the
// controllers' Lease is killed (SIGKILL, then SIGTERM): another node takes the Lease and acts. The
// holder of the fencing-probe Lease is frozen (SIGSTOP) past its lease and resumed: nothing it
// writes after the takeover is stored, and it steps down. Bounds are generous for a loaded machine;
// `npm run bench:takeover` measures the takeover times (10 kills of each kind).

const HAPROXY = haproxyBinary();
if (!HAPROXY) console.warn('ha-takeover.test.ts: SKIPPED, haproxy is not installed (apt-get install haproxy); CI installs it');
const VERSIONS = ['1.27', '1.32', '1.33'].filter((v) => hasBinary(`kubectl.${v}`));
const CONTROLLERS = 'kube-controller-manager';
const PROBE = 'fencing-probe';
const log = (msg: string) => console.log(`[ha-takeover] ${msg}`);
/** kubectl's words when a retried create finds what the first attempt stored (`create configmap` prints no reason). */
const ALREADY = /AlreadyExists|already exists/;

describe.skipIf(!HAPROXY)(HAPROXY ? 'plugin Leases with three nodes behind HAProxy' : 'plugin Leases (SKIPPED: haproxy not installed)', () => {
  const c = new HaCluster([...SHORT_LEASE_FLAGS, '--plugins', `*,${PROBE}`]);
  let names = new Map<string, HaNode>();
  let kc = '';
  /**
   * kubectl through HAProxy. A connection HAProxy could not serve (every server marked down for a
   * moment by slow health checks on a loaded machine) is retried as a user would; on a retry the
   * first attempt may have done the work (AlreadyExists, NotFound).
   */
  const attempt = async (args: string[], version = '1.32', done?: RegExp) => {
    let r = kubectl(kc, ['--request-timeout', '20s', ...args], { version, timeoutMs: 120_000 });
    for (let i = 0; i < 5 && r.code !== 0 && /Unable to connect to the server|connection refused|EOF/.test(r.stderr); i++) {
      await new Promise((res) => setTimeout(res, 2000));
      r = kubectl(kc, ['--request-timeout', '20s', ...args], { version, timeoutMs: 120_000 });
      if (r.code !== 0 && done?.test(r.stderr)) return { ...r, code: 0 };
    }
    return r;
  };
  const run = async (args: string[], done?: RegExp) => {
    const r = await attempt(args, '1.32', done);
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const restart = async (n: HaNode) => {
    if (n.running) return;
    await c.restart(n, false);
    await n.waitReady(180_000);
    names = await nodeNames(c.creds(), c.nodes);
  };
  /** Each node's last log lines without the probe's own (one every 250 ms). */
  const logs = () => c.nodes.map((n) => `--- ${n.name} (api ${n.apiPort}) ---\n${readFileSync(n.log, 'utf8').split('\n').filter((l) => !l.includes('"fencing probe ')).slice(-30).join('\n')}`).join('\n');

  beforeAll(async () => {
    // Every node runs every default plugin: on a loaded 2-core machine a start took over 60 s.
    c.readyTimeoutMs = 180_000;
    const t0 = Date.now();
    await c.found();
    await c.join();
    await c.join();
    await c.startHaproxy(c.nodes);
    kc = c.kubeconfig;
    await waitFor('kubectl through HAProxy', 60_000, async () => (kubectl(kc, ['get', '--raw', '/readyz']).code === 0 ? true : undefined), 200);
    names = await nodeNames(c.creds(), c.nodes);
    log(`three nodes (${[...names.keys()].join(', ')}) and HAProxy up in ${Date.now() - t0} ms (dir ${c.dir})`);
  }, 400_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`[ha-takeover] logs after "${ctx.task.name}":\n${logs()}`);
  });

  afterAll(async () => {
    await c.shutdown();
    if (c.hasDir && !process.env.KPLANE_KEEP_HA) removeDir(c.dir);
  }, 60_000);

  it.each(VERSIONS)("kubectl %s get lease -n kube-system lists the plugins' Leases with their holders", async (version) => {
    await holderOf(c, names, CONTROLLERS);
    const r = await attempt(['get', 'lease', '-n', 'kube-system'], version);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'HOLDER', 'AGE']);
    const byName = new Map(rows.map((l) => l.split(/\s+/)).map(([n, h]) => [n!, h!]));
    for (const lease of [CONTROLLERS, 'kube-scheduler', 'deployment-controller', PROBE]) {
      const holder = byName.get(lease) ?? `(no ${lease} in:\n${r.stdout})`;
      expect(holder).toMatch(/^[\w.-]+_[0-9a-f]{8}$/);
      expect(names.has(holderNode(holder!)), `${holder} is one of ${[...names.keys()].join(', ')}`).toBe(true);
    }
    // Each node's name is claimed by a Lease held by that node.
    for (const n of names.keys()) expect(byName.has(`kplane-node-${n}`), `kplane-node-${n} in\n${r.stdout}`).toBe(true);
  });

  it("kill -9 of the controllers' Lease holder: another node takes the Lease and finishes a namespace deletion", async () => {
    await run(['create', 'namespace', 'takeover-kill'], ALREADY);
    await run(['create', 'configmap', 'c', '-n', 'takeover-kill', '--from-literal=k=v'], ALREADY);
    const t = await killHolder(c, names, CONTROLLERS, 'SIGKILL', 60_000);
    try {
      log(`kill -9 of ${t.victim.name}: ${CONTROLLERS} taken by ${t.now.holder} after ${t.ms} ms (lease 4s, retry 500ms)`);
      expect(holderNode(t.now.holder)).not.toBe(holderNode(t.old.holder));
      expect(t.now.transitions).toBe(t.old.transitions + 1);
      // 4 s lease + retry on an idle machine; generous for a loaded one (exact figures: bench:takeover).
      expect(t.ms).toBeLessThan(20_000);
      // The new holder's namespace controller empties the namespace and removes its finalizer.
      await run(['delete', 'namespace', 'takeover-kill', '--timeout=90s'], /NotFound/);
      expect(kubectl(kc, ['get', 'namespace', 'takeover-kill']).stderr).toMatch(/NotFound/);
    } finally {
      await restart(t.victim);
    }
  });

  it('SIGTERM of the holder: it releases the Lease on shutdown and another node takes it at once', async () => {
    const t = await killHolder(c, names, CONTROLLERS, 'SIGTERM', 60_000);
    try {
      log(`SIGTERM of ${t.victim.name}: ${CONTROLLERS} taken by ${t.now.holder} after ${t.ms} ms`);
      expect(holderNode(t.now.holder)).not.toBe(holderNode(t.old.holder));
      const released = logLines(t.victim.log, /^released lease$/).filter((l) => l.lease === CONTROLLERS);
      expect(released.length, `"released lease" for ${CONTROLLERS} in ${t.victim.log}`).toBeGreaterThan(0);
      // Without the release a standby would wait out the 4 s lease; about 1 s on an idle machine.
      expect(t.ms).toBeLessThan(10_000);
      await run(['create', 'namespace', 'takeover-term'], ALREADY);
      await run(['delete', 'namespace', 'takeover-term', '--timeout=90s'], /NotFound/);
    } finally {
      await restart(t.victim);
    }
  });

  it("fencing: a Lease holder that is a Raft follower, frozen past its lease, has its write refused by the store's fence, stores nothing after the takeover, and steps down", async () => {
    const creds = c.creds();
    const probeState = async (n: HaNode) => {
      const r = await adminRequest(creds, n.apiPort, 'GET', '/kplane/plugins', undefined, 3000);
      return (JSON.parse(r.body) as { plugins: { name: string; state: string; holder?: string }[] }).plugins.find((x) => x.name === PROBE);
    };
    const probes = async (via: HaNode, node: string) => {
      const r = await adminRequest(creds, via.apiPort, 'GET', `/api/v1/namespaces/kube-system/configmaps?labelSelector=${encodeURIComponent(`kplane.io/fencing-probe=${node}`)}`, undefined, 5000);
      expect(r.status, r.body).toBe(200);
      return (JSON.parse(r.body) as { items: { metadata: { name: string; resourceVersion: string } }[] }).items;
    };
    const newest = (items: { metadata: { resourceVersion: string } }[]) => Math.max(0, ...items.map((p) => Number(p.metadata.resourceVersion)));

    // Only a Raft follower's write can reach the fence: a frozen Raft leader loses its term while
    // frozen, and its writes die with the term before any fence is compared. So when the Raft
    // leader holds the probe's Lease, the test hands the Lease to a follower (the follower's elector
    // finds its own identity in the Lease and renews it; the leader steps down).
    const raft = await c.leader(60_000);
    let frozen = (await holderOf(c, names, PROBE)).node;
    if (frozen === raft.node) {
      frozen = c.nodes.find((n) => n !== raft.node && n.running)!;
      await handLease(creds, frozen, PROBE, await hostIdentity(creds, frozen));
      log(`handed ${PROBE} from the Raft leader ${raft.node.name} to the follower ${frozen.name}`);
    }
    const target = frozen;
    await waitFor(`${target.name} running ${PROBE}`, 30_000, async () => ((await probeState(target))?.state === 'running' ? true : undefined), 100);
    const before = (await holderOf(c, names, PROBE)).lease;
    const frozenName = holderNode(before.holder);
    expect(names.get(frozenName)).toBe(frozen);
    const witness = c.nodes.find((n) => n !== frozen && n.running)!;
    const mine = await waitFor(`a probe by ${frozenName} as holder`, 30_000, async () => {
      const items = await probes(witness, frozenName);
      return newest(items) > Number(before.resourceVersion) ? items : undefined;
    }, 100);

    // Freeze it right after one of its probes is applied on its own node: its probe loop is then in
    // its 250 ms pause, so the write it makes first on resume carries the fence it held before the
    // freeze. (A write in flight at SIGSTOP would reach the Raft leader before the takeover.)
    let onProbe: () => void = () => undefined;
    const applied = new Promise<void>((resolve) => (onProbe = resolve));
    const selector = encodeURIComponent(`kplane.io/fencing-probe=${frozenName}`);
    // Events replayed from the given revision arrive in a burst as the watch opens; a probe applied
    // now comes at least a probe interval after the one before it.
    let last = Date.now();
    const own = watchPath(creds, frozen, `/api/v1/namespaces/kube-system/configmaps?watch=1&labelSelector=${selector}&resourceVersion=${newest(mine)}`, (type) => {
      const now = Date.now();
      if (type === 'ADDED' && now - last > 100) onProbe();
      last = now;
    });
    const w = watchLease(creds, witness, PROBE, before.resourceVersion);
    try {
      const raftBefore = await c.leader(10_000);
      expect(raftBefore.node, `${frozen.name} is a Raft follower`).not.toBe(frozen);
      const seen = await Promise.race([applied.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      expect(seen, `a new probe by ${frozenName} seen through its own node`).toBe(true);
      frozen.proc!.kill('SIGSTOP');
      const tStop = Date.now();
      own.stop();
      const takeover = await waitFor('another holder of the probe Lease', 60_000, async () => w.events.find((e) => e.holder && e.holder !== before.holder), 50);
      const newName = holderNode(takeover.holder);
      // The new holder acts: its probes are stored after the takeover.
      await waitFor(`a probe by ${newName} after the takeover`, 30_000, async () => (newest(await probes(witness, newName)) > Number(takeover.resourceVersion) ? true : undefined), 250);
      const tCont = Date.now();
      frozen.proc!.kill('SIGCONT');
      log(`froze ${frozen.name} (${frozenName}, a Raft follower of ${raftBefore.node.name}) for ${tCont - tStop} ms; ${newName} took ${PROBE} at resourceVersion ${takeover.resourceVersion}`);

      // The resumed node steps down: its plugin is on standby and it sees the new holder.
      await waitFor(`${frozen.name} on standby for ${PROBE}`, 60_000, async () => {
        const p = await probeState(frozen);
        return p?.state === 'standby' && p.holder === takeover.holder ? true : undefined;
      }, 200);
      // Its log file may trail its state by a moment on a loaded machine.
      await waitFor(`a step-down of ${PROBE} logged by ${frozen.name} after SIGCONT`, 15_000, async () => (logLines(frozen.log, /stepping down/).some((l) => l.lease === PROBE && Number(l.time) >= tCont) ? true : undefined), 200);

      // What the frozen node tried after it resumed: every attempt refused; its first, sent with the
      // fence it held before the freeze, by the store's fence compare (the Lease's modRevision moved
      // on), and the rest by its own client once its elector stepped down.
      const attempts = () => logLines(frozen.log, /^fencing probe (written|refused)$/).filter((l) => Date.parse(String(l.tried)) >= tCont);
      const tried = await waitFor('probe writes attempted by the resumed node', 15_000, async () => (attempts().length > 0 ? attempts() : undefined), 200);
      const why = (l: Record<string, unknown>) => (l.ok ? 'STORED' : /has changed \(now at resourceVersion/.test(String(l.err)) ? 'store fence' : /no longer holds/.test(String(l.err)) ? 'client' : `other: ${String(l.err)}`);
      const campaigned = logLines(frozen.log, /campaigning early/).filter((l) => Number(l.time) >= tCont).length;
      log(`${frozen.name} tried ${tried.length} probe writes after SIGCONT: ${tried.map(why).join(', ')}; it forgot its Raft leader ${campaigned} time(s) on resume`);
      expect(tried.length, 'probe writes attempted by the resumed node').toBeGreaterThan(0);
      expect(why(tried[0]!), 'the first write after SIGCONT').toBe('store fence');
      expect(tried.map(why).filter((x) => x !== 'store fence' && x !== 'client')).toEqual([]);

      // The store: none of the frozen node's probes was committed after the takeover's revision.
      const late = (await probes(witness, frozenName)).filter((p) => Number(p.metadata.resourceVersion) > Number(takeover.resourceVersion));
      expect(late.map((p) => p.metadata.name)).toEqual([]);
      expect((await readLease(creds, witness, PROBE))!.holder).toBe(takeover.holder);
      // The resumed follower did not depose the Raft leader (pre-vote, check-quorum).
      const raftAfter = await c.leader(30_000);
      expect([raftAfter.node.name, raftAfter.status.term]).toEqual([raftBefore.node.name, raftBefore.status.term]);
    } finally {
      own.stop();
      w.stop();
      if (frozen.running) frozen.proc!.kill('SIGCONT');
    }
  });
});
