import type { KubeObject } from '../../internal/api/index.js';
import { createClient, createEventRecorder, SharedInformerFactory, type Client, type ResourceRef, type UserInfo } from '../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../internal/plugin/index.js';
import { builtinDefinitions } from '../../internal/registry/index.js';
import { createTestRegistry, type TestRegistry } from '../../internal/registry/testing/test-registry.js';
import { realClock } from '../../internal/util/index.js';

const ADMIN: UserInfo = { name: 'admin', groups: ['system:masters'] };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Plugins against the real registry (memory backend) and real informers, in one process, without the
 * host's elections: what plugin tests and the scheduler benchmark run on.
 */
export interface PluginHarness {
  registry: TestRegistry;
  client: Client;
  informers: SharedInformerFactory;
  /** Starts a plugin; the returned function stops it (as if its replica died) and awaits its run. */
  start(plugin: Plugin): () => Promise<void>;
  create(ref: ResourceRef, namespace: string | undefined, obj: KubeObject): Promise<KubeObject>;
  stop(): Promise<void>;
}

export async function createPluginHarness(opts: { log?: PluginContext['log'] } = {}): Promise<PluginHarness> {
  const registry = createTestRegistry(builtinDefinitions());
  // The registry's fake clock would freeze timestamps; plugins need time to pass.
  (registry.clock as unknown as { now(): number }).now = () => Date.now();
  const stopper = new AbortController();
  const client = createClient(registry.handler, ADMIN, { userAgent: 'test' });
  const informers = new SharedInformerFactory(client, stopper.signal, {});
  for (const name of ['default', 'kube-system', 'kube-node-lease']) await client.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { metadata: { name } });
  const runs: Promise<void>[] = [];
  return {
    registry,
    client,
    informers,
    start(plugin) {
      const events = createEventRecorder(client, { reportingController: plugin.name, reportingInstance: 'test' });
      const own = new AbortController();
      const signal = AbortSignal.any([stopper.signal, own.signal]);
      const clientAs = (name: string, groups: string[]) => createClient(registry.handler, { name, groups: [...groups, 'system:masters'] }, { userAgent: plugin.name });
      const ctx: PluginContext = { name: plugin.name, nodeName: 'test', client, clientAs, informers, events, log: opts.log ?? quiet, clock: realClock, signal };
      const run = plugin.run(ctx).catch((err) => (opts.log ?? quiet).error({ err: String(err) }, `${plugin.name} failed`));
      runs.push(run);
      return async () => {
        own.abort();
        await run;
      };
    },
    create: (ref, namespace, obj) => client.create(ref, namespace, obj),
    async stop() {
      stopper.abort();
      await Promise.allSettled(runs);
      await registry.close();
    },
  };
}

/** Polls f until it returns something other than undefined or false (f may throw while waiting). */
export async function until<T>(f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
