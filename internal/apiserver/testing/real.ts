import { createMemoryBackend } from '../../backends/memory/index.js';
import { createCatalog, createHandler, type RegistryHandler } from '../../registry/index.js';
import { builtinDefinitions } from '../../registry/resources/index.js';
import type { Backend } from '../../storage/index.js';
import { createObjectStore } from '../../storage/index.js';
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
}

export const SYSTEM_USER = { name: 'system:apiserver', groups: ['system:masters'] };

export async function createRealServer(overrides: Partial<ApiServerOptions> = {}, store: { futureRevisionWaitMs?: number } = {}): Promise<RealServer> {
  const catalog = createCatalog(builtinDefinitions());
  const backend = createMemoryBackend();
  const handler = createHandler({ catalog, objectStore: createObjectStore(backend, store) });
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
  return { app, handler, backend, revision: async () => (await backend.currentRevision()).revision };
}
