import { createMemoryBackend } from '../../backends/memory/index.js';
import { ApiError, type KubeObject } from '../../api/index.js';
import { createObjectStore, type Backend, type ObjectStore } from '../../storage/index.js';
import { FakeClock, seededRand } from '../../util/index.js';
import type { MutableCatalog } from '../catalog.js';
import type { CrdController } from '../crd/index.js';
import { createRegistry } from '../registry.js';
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
  /** The CRD controller (absent when a catalog was passed in). */
  crds: CrdController;
  /** Shorthand requests as the admin user. */
  call(req: TestRequest): Promise<ApiResponse>;
  /** The object of a successful call. */
  obj(req: TestRequest): Promise<KubeObject>;
  close(): Promise<void>;
}

let uidCounter = 0;

/**
 * The registry (with CustomResourceDefinitions) over the memory backend with a fake clock (2026-01-01T00:00:00Z), a seeded rand and
 * sequential uids: everything a registry test needs, deterministic.
 */
export function createTestRegistry(definitions: ResourceDefinition[], over: Partial<HandlerOptions> = {}, objectStoreOverride?: { backend: Backend; objectStore: ObjectStore }): TestRegistry {
  const backend = objectStoreOverride?.backend ?? createMemoryBackend();
  const objectStore = objectStoreOverride?.objectStore ?? createObjectStore(backend, { futureRevisionWaitMs: 50 });
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const base = { objectStore, clock, rand: seededRand(7), newUid: () => `uid-${++uidCounter}`, ...over };
  let catalog: MutableCatalog;
  let handler: RegistryHandler;
  let crds: CrdController | undefined;
  if (over.catalog) {
    catalog = over.catalog as MutableCatalog;
    handler = createHandler({ ...base, catalog });
  } else {
    const reg = createRegistry({ ...base, definitions });
    catalog = reg.catalog;
    handler = reg.handler;
    crds = reg.crds;
  }
  const call: TestRegistry['call'] = (req) => handler.handle({ user: ADMIN, ...req } as NonWatch);
  return {
    catalog,
    handler,
    crds: crds!,
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

/** Awaits a promise that must reject with an ApiError, and returns that error. */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}
