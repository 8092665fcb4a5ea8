import { createMemoryBackend } from '../../backends/memory/index.js';
import type { KubeObject } from '../../api/index.js';
import { createObjectStore, type Backend, type ObjectStore } from '../../storage/index.js';
import { FakeClock, seededRand } from '../../util/index.js';
import { createCatalog, type MutableCatalog } from '../catalog.js';
import type { ResourceDefinition } from '../definition.js';
import { createHandler, type HandlerOptions, type RegistryHandler } from '../handler.js';
import type { ApiRequest, ApiResponse } from '../request.js';
import type { UserInfo } from '../strategy.js';

export const ADMIN: UserInfo = { name: 'admin', groups: ['system:masters'] };

type NonWatch = Exclude<ApiRequest, { verb: 'watch' }>;
/** A request without its user (the admin is the default); distributes over the verb union. */
export type TestRequest = NonWatch extends infer T ? (T extends unknown ? Omit<T, 'user'> & { user?: UserInfo } : never) : never;

export interface TestRegistry {
  catalog: MutableCatalog;
  handler: RegistryHandler;
  objectStore: ObjectStore;
  backend: Backend;
  clock: FakeClock;
  /** Shorthand requests as the admin user. */
  call(req: TestRequest): Promise<ApiResponse>;
  /** The object of a successful call. */
  obj(req: TestRequest): Promise<KubeObject>;
  close(): Promise<void>;
}

let uidCounter = 0;

/**
 * A handler over the memory backend with a fake clock (2026-01-01T00:00:00Z), a seeded rand and
 * sequential uids: everything a registry test needs, deterministic.
 */
export function createTestRegistry(definitions: ResourceDefinition[], over: Partial<HandlerOptions> = {}): TestRegistry {
  const backend = createMemoryBackend();
  const objectStore = createObjectStore(backend, { futureRevisionWaitMs: 50 });
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const catalog = createCatalog(definitions);
  const handler = createHandler({
    catalog,
    objectStore,
    clock,
    rand: seededRand(7),
    newUid: () => `uid-${++uidCounter}`,
    ...over,
  });
  const call: TestRegistry['call'] = (req) => handler.handle({ user: ADMIN, ...req } as NonWatch);
  return {
    catalog,
    handler,
    objectStore,
    backend,
    clock,
    call,
    obj: async (req) => (await call(req)).body as KubeObject,
    close: () => backend.close(),
  };
}

/** Collects up to n events from an async iterable (or fewer if it ends). */
export async function take<T>(it: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n <= 0) return out;
  for await (const x of it) {
    out.push(x);
    if (out.length >= n) break;
  }
  return out;
}
