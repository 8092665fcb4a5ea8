import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, freePort, removeDir } from './harness.js';
import { exec, HaCluster, HaNode, type NodeStatus, waitFor } from './ha-harness.js';

// Spares with real processes: six `kplane server` nodes on loopback with the standby limit of two
// (--standbys 2, the default, spelled out here) and a short voter grace period. Three vote,
// two replicate as standbys, the sixth is a spare with no replica that serves kubectl through a
// member. A voter is killed: a standby replaces it and the spare becomes a standby (its own replica).

const GRACE_MS = 3000;
const NS = 'spares';
const log = (msg: string) => console.log(`[spares] ${msg}`);
const spareIds = (s: NodeStatus) => Object.keys(s.spares ?? {}).map(Number);

describe('spares: six nodes, 3 voters, 2 standbys, 1 spare', () => {
  const args = ['--voter-grace-period', String(GRACE_MS), '--standbys', '2'];
  const c = new HaCluster(args);
  let spare: HaNode;

  /**
   * n joiners: tokens from add-node one at a time (it rewrites the founder's token file), then the
   * processes start together (the founder admits them one at a time; the order decides the roles).
   */
  async function joinMany(n: number): Promise<void> {
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) {
      const add = await exec(BIN, ['add-node', '--data-dir', c.founder.dataDir]);
      expect(add.code, add.stderr).toBe(0);
      tokens.push(add.stdout.split('\n')[1]!.trim());
    }
    const started: HaNode[] = [];
    for (const token of tokens) {
      const name = `n${c.nodes.length + 1}`;
      const node = new HaNode(name, join(c.dir, name), await freePort(), await freePort(), join(c.dir, `${name}.log`));
      c.nodes.push(node);
      node.start([...args, '--join', c.founder.url, '--token', token]);
      started.push(node);
    }
    await Promise.all(started.map((node) => node.waitReady(90_000)));
    for (const node of started) node.id = (await c.status(node)).id;
  }

  const run = async (kubeconfig: string, args: string[]) => {
    const r = await c.kubectl(kubeconfig, args);
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    const t0 = Date.now();
    await c.found();
    await joinMany(5);
    log(`six nodes up in ${Date.now() - t0} ms (dir ${c.dir})`);
  }, 120_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`[spares] logs after "${ctx.task.name}":\n${c.logs()}`);
  });

  afterAll(async () => {
    await c.shutdown();
    if (c.hasDir && !process.env.KPLANE_KEEP_HA) removeDir(c.dir);
  });

  it('settles on 3 voters, 2 standbys and a spare that serves kubectl create, get and watch through a member', async () => {
    const { node: leader } = await c.leader();
    const st = await waitFor('3 voters, 2 standbys, 1 spare', 30_000, async () => {
      const s = await c.status(leader);
      return s.voters.length === 3 && s.learners.length === 2 && spareIds(s).length === 1 ? s : undefined;
    });
    spare = c.byId(spareIds(st)[0]!);
    // The spare has switched to serving through a member (it reports itself as a spare).
    const own = await waitFor('the spare serving through a member', 20_000, async () => {
      const s = await c.status(spare);
      return s.role === ('spare' as string) ? s : undefined;
    });
    expect(spareIds(own)).toContain(spare.id);
    const table = await exec(BIN, ['status', '--data-dir', spare.dataDir, '--server', spare.url]);
    expect(table.code, table.stderr).toBe(0);
    log(`status on the spare:\n${table.stdout}`);
    expect(table.stdout.split('\n').find((l) => l.startsWith(`${spare.id} `))).toMatch(/^\d+\s+spare/);

    const kc = c.kubeconfigFor(spare.apiPort, spare.name);
    await run(kc, ['create', 'namespace', NS]);
    await run(kc, ['create', 'configmap', 'via-spare', '-n', NS, '--from-literal=k=v']);
    expect(await run(kc, ['get', 'configmap', 'via-spare', '-n', NS, '-o', 'jsonpath={.data.k}'])).toBe('v');
    // Written through the spare, read on the leader (linearizable: acknowledged means committed).
    expect(await run(c.kubeconfigFor(leader.apiPort, leader.name), ['get', 'configmap', 'via-spare', '-n', NS, '-o', 'name'])).toBe('configmap/via-spare\n');
    // A watch through the spare sees a write made on the leader.
    const watch = c.kubectl(kc, ['get', 'configmaps', '-n', NS, '-w', '-o', 'name'], 8000);
    await new Promise((r) => setTimeout(r, 2000));
    await run(c.kubeconfigFor(leader.apiPort, leader.name), ['create', 'configmap', 'seen-by-watch', '-n', NS]);
    const out = (await watch).stdout;
    expect(out).toContain('configmap/seen-by-watch');
  });

  it('a killed voter is replaced by a standby, the spare becomes a standby with its own replica, the dead voter a spare (also after it returns)', async () => {
    const { node: leader, status: before } = await c.leader();
    const victim = c.nodes.find((n) => n !== leader && n !== c.founder && before.voters.includes(n.id))!;
    const tKill = Date.now();
    await victim.kill9();
    const after = await waitFor('standby promoted, spare made a standby, dead voter made a spare', GRACE_MS + 40_000, async () => {
      const s = await c.status(leader);
      return s.voters.length === 3 && !s.voters.includes(victim.id) && s.learners.includes(spare.id) && spareIds(s).includes(victim.id) ? s : undefined;
    });
    log(`killed voter ${victim.name} (id ${victim.id}); after ${Date.now() - tKill} ms voters ${after.voters}, standbys ${after.learners}, spares ${spareIds(after)}`);
    expect(after.learners).toHaveLength(2);
    // The former spare serves from its own replica now (its own Raft status, not the spare stand-in).
    const own = await waitFor('the former spare serving from its replica', 30_000, async () => {
      const s = await c.status(spare);
      return s.role !== ('spare' as string) && s.learners.includes(spare.id) && s.applied > 0 ? s : undefined;
    });
    expect(own.id).toBe(spare.id);
    const kc = c.kubeconfigFor(spare.apiPort, spare.name);
    expect(await run(kc, ['get', 'configmap', 'via-spare', '-n', NS, '-o', 'name'])).toBe('configmap/via-spare\n');
    await run(kc, ['create', 'configmap', 'after-promotion', '-n', NS]);
    expect(await run(c.kubeconfigFor(leader.apiPort, leader.name), ['get', 'configmap', 'after-promotion', '-n', NS, '-o', 'name'])).toBe('configmap/after-promotion\n');

    // The dead voter returns on its data dir: it learns from a member that it is a spare now and
    // serves through one (no replica), with every acknowledged write visible.
    await c.restart(victim);
    await waitFor(`${victim.name} back as a spare`, 30_000, async () => ((await c.status(victim)).role === ('spare' as string) ? true : undefined));
    expect(await run(c.kubeconfigFor(victim.apiPort, victim.name), ['get', 'configmap', 'after-promotion', '-n', NS, '-o', 'name'])).toBe('configmap/after-promotion\n');
  });

  it('the founder (it holds the CA key) killed and back as a spare still admits a new node through a member', async () => {
    const founder = c.founder;
    const { status: before } = await c.leader();
    expect(before.voters).toContain(founder.id);
    await founder.kill9();
    await waitFor('the founder made a spare', GRACE_MS + 40_000, async () => {
      const { status: s } = await c.leader();
      return s.voters.length === 3 && !s.voters.includes(founder.id) && spareIds(s).includes(founder.id) ? s : undefined;
    });
    await c.restart(founder);
    await waitFor('the founder back as a spare', 30_000, async () => ((await c.status(founder)).role === ('spare' as string) ? true : undefined));
    // add-node on the founder's data dir and a join through its URL: it signs, a member records.
    await joinMany(1);
    const joined = c.nodes[c.nodes.length - 1]!;
    const { status: s } = await c.leader();
    expect(spareIds(s)).toContain(joined.id);
    expect(await run(c.kubeconfigFor(joined.apiPort, joined.name), ['get', 'configmap', 'after-promotion', '-n', NS, '-o', 'name'])).toBe('configmap/after-promotion\n');
  });
});
