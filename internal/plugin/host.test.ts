import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { createClient } from '../client/index.js';
import { LEASES } from '../leaderelection/index.js';
import { builtinDefinitions } from '../registry/index.js';
import { ADMIN, createTestRegistry, type TestRegistry } from '../registry/testing/index.js';
import { realClock } from '../util/index.js';
import { PluginHost } from './host.js';
import { selectPlugins } from './select.js';
import type { Logger, Plugin, PluginContext } from './types.js';

/** The host's informers and elections act as kube-controller-manager: these tests have no RBAC, so everyone may do everything. */
const ALLOW = { authorize: async () => ({ allowed: true }) };

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const FAST = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 };
const CM = { group: '', version: 'v1', resource: 'configmaps' };

let r: TestRegistry | undefined;
const hosts: PluginHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await r?.close();
});

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
  expect(await cond()).toBe(true);
}

async function registry() {
  r = createTestRegistry(builtinDefinitions().filter((d) => ['leases', 'namespaces', 'configmaps', 'events'].includes(d.plural) && d.version === 'v1'), { clock: realClock, authorizer: ALLOW });
  const admin = createClient(r.handler, ADMIN);
  for (const ns of ['kube-system', 'default']) await admin.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { metadata: { name: ns } });
  return admin;
}

function host(nodeName: string, plugins: Plugin[], over: Partial<ConstructorParameters<typeof PluginHost>[0]> = {}) {
  const h = new PluginHost({ plugins, handler: r!.handler, nodeName, timings: FAST, log: quiet, ...over });
  hosts.push(h);
  h.start();
  return h;
}

/** A plugin that records which node runs it and waits for its signal. */
function recorder(name: string, election: Plugin['election'], running: Map<string, number>): Plugin {
  return {
    name,
    election,
    async run(ctx: PluginContext) {
      running.set(ctx.nodeName, (running.get(ctx.nodeName) ?? 0) + 1);
      await new Promise((res) => ctx.signal.addEventListener('abort', res));
      running.set(ctx.nodeName, running.get(ctx.nodeName)! - 1);
    },
  };
}

describe('PluginHost', () => {
  it('runs every-replica plugins on every node and a leader plugin on one node, under a Lease in kube-system', async () => {
    const admin = await registry();
    const every = new Map<string, number>();
    const leader = new Map<string, number>();
    const plugins = () => [recorder('everywhere', 'every-replica', every), recorder('ctrl', 'leader', leader)];
    const a = host('node-a', plugins());
    await until(() => leader.get('node-a') === 1);
    const b = host('node-b', plugins());
    await until(() => every.get('node-b') === 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(leader.get('node-b') ?? 0).toBe(0);
    expect(every.get('node-a')).toBe(1);
    const lease = (await admin.get(LEASES, 'kube-system', 'ctrl')) as KubeObject;
    expect((lease.spec as { holderIdentity: string }).holderIdentity).toBe(a.identity);
    expect(a.identity).toMatch(/^node-a_[0-9a-f]{8}$/);
    expect(b.status().find((s) => s.name === 'ctrl')).toMatchObject({ state: 'standby', lease: 'ctrl', holder: a.identity });
    expect(a.status().find((s) => s.name === 'ctrl')).toMatchObject({ state: 'running', holder: a.identity });
  });

  it('on stop the holder releases the Lease and the standby takes over at once; every run returned', async () => {
    await registry();
    const leader = new Map<string, number>();
    const a = host('node-a', [recorder('ctrl', 'leader', leader)]);
    await until(() => leader.get('node-a') === 1);
    host('node-b', [recorder('ctrl', 'leader', leader)], { timings: { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 20_000 } });
    await new Promise((res) => setTimeout(res, 200));
    const stoppedAt = Date.now();
    await a.stop();
    expect(leader.get('node-a')).toBe(0);
    // node-b retries only every 20 s: only the informer-fed release can make it this fast.
    await until(() => leader.get('node-b') === 1, 3000);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
  });

  it("a leader plugin's writes carry its Lease; after the Lease is lost they are refused and nothing is stored", async () => {
    const admin = await registry();
    let ctxSeen: PluginContext | undefined;
    const p: Plugin = {
      name: 'writer',
      election: 'leader',
      async run(ctx) {
        ctxSeen = ctx;
        await ctx.client.create(CM, 'default', { metadata: { name: 'while-leading' } });
        await new Promise((res) => ctx.signal.addEventListener('abort', res));
      },
    };
    host('node-a', [p]);
    await until(async () => (await admin.list(CM, 'default')).items.length === 1);
    // Someone else takes the Lease; the plugin is stopped and its client refuses writes.
    const cur = (await admin.get(LEASES, 'kube-system', 'writer')) as KubeObject;
    await admin.update(LEASES, 'kube-system', { ...cur, spec: { ...(cur.spec as object), holderIdentity: 'thief' } });
    await until(() => ctxSeen!.signal.aborted);
    await expect(ctxSeen!.client.create(CM, 'default', { metadata: { name: 'after-loss' } })).rejects.toMatchObject({ code: 409 });
    expect((await admin.list(CM, 'default')).items.map((o) => o.metadata.name)).toEqual(['while-leading']);
  });

  it('restarts a plugin whose run fails, and reports it', async () => {
    await registry();
    let runs = 0;
    const h = host('node-a', [{ name: 'flaky', election: 'every-replica', run: async () => {
          if (runs++ === 0) throw new Error('boom');
        } }], { restartBackoffMs: 10 });
    await until(() => runs >= 2);
    expect(h.status()[0]).toMatchObject({ name: 'flaky', restarts: expect.any(Number), lastError: expect.stringMatching(/boom|returned/) });
  });

  it('stop() does not hang on a plugin that ignores its signal: it is left behind after the grace period', async () => {
    await registry();
    const errors: string[] = [];
    const log: Logger = { ...quiet, error: (_o, msg) => errors.push(msg ?? '') };
    const h = host('node-a', [{ name: 'stubborn', election: 'every-replica', run: () => new Promise(() => undefined) }], { stopGraceMs: 50, log });
    await new Promise((res) => setTimeout(res, 20));
    await h.stop();
    expect(errors.some((e) => /did not return/.test(e))).toBe(true);
  });
});

describe('selectPlugins', () => {
  const all: Plugin[] = [
    { name: 'a', election: 'leader', run: async () => undefined },
    { name: 'hollow-nodes', election: 'every-replica', defaultEnabled: false, run: async () => undefined },
    { name: 'b', election: 'leader', run: async () => undefined },
  ];
  it('defaults to every plugin enabled by default, "none" to none, names to exactly those, unknown names to an error', () => {
    expect(selectPlugins(all, undefined).map((p) => p.name)).toEqual(['a', 'b']);
    expect(selectPlugins(all, ['none'])).toEqual([]);
    expect(selectPlugins(all, ['hollow-nodes', 'a']).map((p) => p.name)).toEqual(['a', 'hollow-nodes']);
    expect(() => selectPlugins(all, ['nope'])).toThrow(/unknown plugin "nope"; known: a, hollow-nodes, b/);
  });
  it('takes kube-controller-manager\'s --controllers syntax: "*" is the default set, "-name" leaves one out', () => {
    expect(selectPlugins(all, ['*']).map((p) => p.name)).toEqual(['a', 'b']);
    expect(selectPlugins(all, ['*', 'hollow-nodes']).map((p) => p.name)).toEqual(['a', 'hollow-nodes', 'b']);
    expect(selectPlugins(all, ['*', '-a']).map((p) => p.name)).toEqual(['b']);
    expect(selectPlugins(all, ['a', '-a'])).toEqual([]);
    expect(() => selectPlugins(all, ['*', '-nope'])).toThrow(/unknown plugin "nope"/);
  });
});
