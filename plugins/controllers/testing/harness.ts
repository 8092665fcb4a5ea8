import { setMaxListeners } from 'node:events';
import { vi } from 'vitest';
import { isApiError } from '../../../internal/api/index.js';
import { createClient, createEventRecorder, SharedInformerFactory } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { builtinDefinitions } from '../../../internal/registry/index.js';
import { ADMIN, createTestRegistry, type TestRegistry } from '../../../internal/registry/testing/index.js';
import { realClock } from '../../../internal/util/index.js';
import { servedResources } from '../../../internal/app/served-resources.js';
import type { ServedResources } from '../shared/served.js';

/**
 * Controllers against the real verb pipeline over the memory backend: a registry with every
 * built-in resource (and CRDs), the in-process client, shared informers, and the plugins running
 * as the host would run them. `stop()` aborts them and checks that each run returns promptly.
 */
export interface Cluster {
  registry: TestRegistry;
  client: ReturnType<typeof createClient>;
  served: ServedResources;
  /** The informers every started plugin shares. */
  informers: SharedInformerFactory;
  start(...plugins: Plugin[]): void;
  stop(): Promise<void>;
}

export function startCluster(): Cluster {
  const registry = createTestRegistry(builtinDefinitions());
  const client = createClient(registry.handler, ADMIN);
  const stopper = new AbortController();
  // Every informer handler of every plugin listens on this one signal.
  setMaxListeners(0, stopper.signal);
  const informers = new SharedInformerFactory(client, stopper.signal, { retryMs: 50 });
  const runs: Promise<void>[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return {
    registry,
    client,
    served: servedResources(() => registry.catalog),
    informers,
    start(...plugins) {
      for (const p of plugins) {
        const ctx: PluginContext = {
          name: p.name,
          nodeName: 'node-1',
          client,
          informers: informers.scoped(stopper.signal),
          events: createEventRecorder(client, { reportingController: p.name, reportingInstance: 'node-1', log: (m, e) => console.error(m, e) }),
          log,
          clock: realClock,
          signal: stopper.signal,
        };
        runs.push(p.run(ctx));
      }
    },
    async stop() {
      stopper.abort();
      // Every plugin's run must return promptly once its signal aborts.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('a plugin run did not return within 2 s of abort')), 2000)));
      await Promise.race([Promise.all(runs), late]).finally(() => clearTimeout(timer));
      await informers.stopped();
      await registry.close();
    },
  };
}

/** Retries an assertion until it passes (controllers act asynchronously). */
export const eventually = (fn: () => Promise<void>, timeout = 5000) => vi.waitFor(fn, { timeout, interval: 50 });

/** True when the read fails with NotFound (other errors fail the test). */
export const notFound = (read: Promise<unknown>): Promise<boolean> =>
  read.then(
    () => false,
    (err: unknown) => {
      if (isApiError(err, 'NotFound')) return true;
      throw err;
    },
  );
