import { createMemoryBackend } from '../../backends/memory/index.js';
import { createCatalog, createHandler, resourcePrefix, type RegistryHandler } from '../../registry/index.js';
import { builtinDefinitions } from '../../registry/resources/index.js';
import type { Backend } from '../../storage/index.js';
import { createObjectStore, createWatchCacheRouter } from '../../storage/index.js';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../server.js';
import { testVersion } from './harness.js';

/**
 * The apiserver over the real registry (built-in definitions, generic store, memory backend), for
 * tests of what client input does end to end, including whether anything was written: the
 * backend's revision is the witness. Every request is a cluster admin unless `Authorization: Bearer
 * <user>` names another (so authorization never hides a decoder's behaviour).
 */
export interface RealServer {
  app: ApiServer;
  handler: RegistryHandler;
  backend: Backend;
  revision(): Promise<number>;
  /** Closes the server and the watch cache, if any. */
  close(): Promise<void>;
}

export const SYSTEM_USER = { name: 'system:apiserver', groups: ['system:masters'] };

/** store.watchCache: reads and watches go through the shared-object watch cache, as in the server. */
export async function createRealServer(
  overrides: Partial<ApiServerOptions> = {},
  store: { futureRevisionWaitMs?: number; watchCache?: boolean } = {},
): Promise<RealServer> {
  const catalog = createCatalog(builtinDefinitions());
  const backend = createMemoryBackend();
  const { watchCache, ...storeOpts } = store;
  const inner = createObjectStore(backend, storeOpts);
  const cache = watchCache ? createWatchCacheRouter({ inner, backend, shareObjects: true }) : undefined;
  const handler = createHandler({ catalog, objectStore: cache ?? inner });
  if (cache) await Promise.all(catalog.definitions().filter((d) => !d.serve).map((d) => cache.add(resourcePrefix(d)).ready()));
  for (const name of ['default', 'kube-system']) {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    await handler.handle({ user: SYSTEM_USER, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body, params: {} });
  }
  const app = createApiServer({
    handler,
    catalog,
    version: testVersion,
    authenticator: (request) => {
      const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
      return { name: m?.[1] ?? 'admin', groups: ['system:masters', 'system:authenticated'] };
    },
    ...overrides,
  });
  const close = async () => {
    await app.close();
    await cache?.close();
  };
  return { app, handler, backend, revision: async () => (await backend.currentRevision()).revision, close };
}
