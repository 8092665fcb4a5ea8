import type { KubeObject } from '../api/index.js';
import { realClock, type Clock } from '../util/index.js';
import type { Backend, KeyValue } from './backend.js';
import { decodeKv, decodeWritten, jsonCodec, type Codec } from './codec.js';
import { StorageError } from './errors.js';
import { LeaseCache } from './object-store-leases.js';
import { listObjects } from './object-store-list.js';
import { parseResourceVersion, waitForRevision } from './object-store-rv.js';
import { watchObjects } from './object-store-watch.js';
import type { ObjectStore, Preconditions } from './object-store.js';

export interface ObjectStoreOptions {
  codec?: Codec;
  /** Used for lease reuse only. */
  clock?: Clock;
  /** How long a read "not older than N" waits for the backend to reach N before FutureRevision. Default 3000. */
  futureRevisionWaitMs?: number;
  /** Minimum gap between BOOKMARK events of a watch with allowBookmarks. Default 60000 (upstream ~60 s). */
  bookmarkIntervalMs?: number;
  /** Upper bound of keys fetched per backend read while filling a selective page. Default 10000. */
  maxListFetch?: number;
}

export type ResolvedObjectStoreOptions = Required<Omit<ObjectStoreOptions, 'clock'>>;

/**
 * The ObjectStore over a Backend: decoded objects, resourceVersion from modRevision, CAS retries,
 * preconditions, pagination and watch translation (see object-store.ts for the contract).
 */
export function createObjectStore(backend: Backend, options: ObjectStoreOptions = {}): ObjectStore {
  const opts: ResolvedObjectStoreOptions = {
    codec: options.codec ?? jsonCodec,
    futureRevisionWaitMs: options.futureRevisionWaitMs ?? 3000,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    maxListFetch: options.maxListFetch ?? 10_000,
  };
  const { codec } = opts;
  const leases = new LeaseCache(backend, options.clock ?? realClock);
  const leaseFor = async (ttl: number | undefined, keep = 0) => (ttl !== undefined && ttl > 0 ? leases.leaseFor(ttl) : keep);

  const readCurrent = async (key: string): Promise<KeyValue> => {
    const { kv } = await backend.get(key);
    if (!kv) throw notFound(key);
    return kv;
  };

  // Read-modify-write starts from this node's local copy without a quorum round (kube-apiserver
  // starts from its watch cache the same way): the compare-and-swap is checked against the
  // committed state, so a copy that lags costs one retry, never a lost update. Only an
  // authoritative state (a linearizable read, or what a failed CAS returns) may end the loop in
  // an error or a no-op.
  const readHint = async (key: string): Promise<{ kv: KeyValue; fresh: boolean }> => {
    const { kv } = await backend.get(key, { serializable: true });
    return kv ? { kv, fresh: false } : { kv: await readCurrent(key), fresh: true };
  };

  return {
    async create(key, obj, { ttlSeconds, dryRun, guard } = {}) {
      const value = codec.encode(obj);
      if (dryRun) {
        // Everything a real create checks, without writing: the key must be free.
        if ((await backend.get(key)).kv) throw keyExists(key);
        return withoutResourceVersion(codec.decode(value, 0, key));
      }
      const lease = await leaseFor(ttlSeconds);
      const res = await backend.create(key, value, guard ? { lease, guard } : { lease });
      if (!res.succeeded || !res.kv) throw keyExists(key);
      // The stored value is the one just encoded: copy obj rather than parse it back.
      return decodeWritten(codec, obj, value, res.kv.modRevision, key);
    },

    async get(key, { resourceVersion, atRevision } = {}) {
      if (atRevision !== undefined && atRevision > 0) {
        const { kv } = await backend.get(key, { revision: atRevision });
        if (!kv) throw notFound(key);
        return decodeKv(codec, kv);
      }
      const rv = parseResourceVersion(resourceVersion);
      // "0" and unset both read the latest here; only a cache may serve "0" from older state.
      if (rv !== undefined && rv > 0) await waitForRevision(backend, rv, opts.futureRevisionWaitMs);
      return decodeKv(codec, await readCurrent(key));
    },

    list: (prefix, listOpts) => listObjects(backend, opts, prefix, listOpts),

    async guaranteedUpdate(key, tryUpdate, { preconditions, dryRun, ttlSeconds, guard } = {}) {
      let { kv, fresh } = dryRun ? { kv: await readCurrent(key), fresh: true } : await readHint(key);
      for (;;) {
        const current = decodeKv(codec, kv);
        let updated: KubeObject;
        try {
          checkPreconditions(key, current, preconditions);
          // current is a fresh decode: tryUpdate may mutate it, and a retry starts from a clean copy.
          updated = await tryUpdate(current);
        } catch (err) {
          // A refusal decided on a copy that may lag (an RV conflict, an immutable field) is only
          // final once the authoritative state refuses too.
          if (fresh) throw err;
          kv = await readCurrent(key);
          fresh = true;
          continue;
        }
        const value = codec.encode(updated);
        if (dryRun) return { ...updated, metadata: { ...updated.metadata, resourceVersion: String(kv.modRevision) } };
        // A no-op update writes nothing and keeps the resourceVersion (kubectl apply of an unchanged
        // manifest must not bump it), unless a TTL asks to refresh the lease. "No change" must hold
        // against the authoritative state, not a copy that may lag.
        if (ttlSeconds === undefined && bytesEqual(value, kv.value)) {
          if (fresh) return decodeWritten(codec, updated, value, kv.modRevision, key);
          kv = await readCurrent(key);
          fresh = true;
          continue;
        }
        const lease = await leaseFor(ttlSeconds, kv.lease);
        const res = await backend.update(key, value, kv.modRevision, guard ? { lease, guard } : { lease });
        if (res.succeeded && res.kv) return decodeWritten(codec, updated, value, res.kv.modRevision, key);
        // Lost the race (or the hint lagged): retry against the committed state a failed CAS hands back.
        if (!res.kv) throw notFound(key);
        kv = res.kv;
        fresh = true;
      }
    },

    async delete(key, { preconditions, validateDeletion, dryRun, guard } = {}) {
      let { kv, fresh } = dryRun ? { kv: await readCurrent(key), fresh: true } : await readHint(key);
      for (;;) {
        const current = decodeKv(codec, kv);
        try {
          checkPreconditions(key, current, preconditions);
          if (validateDeletion) await validateDeletion(current);
        } catch (err) {
          if (fresh) throw err;
          kv = await readCurrent(key);
          fresh = true;
          continue;
        }
        if (dryRun) return current;
        const res = await backend.delete(key, guard ? { expectedModRevision: kv.modRevision, guard } : { expectedModRevision: kv.modRevision });
        // The last state carries the delete's revision, as its DELETED watch event does.
        if (res.succeeded) return decodeKv(codec, res.kv ?? kv, res.revision);
        if (!res.kv) throw notFound(key);
        kv = res.kv;
        fresh = true;
      }
    },

    watch: (key, watchOpts) => watchObjects(backend, opts, key, watchOpts),
  };
}

export function checkPreconditions(key: string, obj: KubeObject, pre: Preconditions | undefined): void {
  if (!pre) return;
  if (pre.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`,
      { key },
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
      { key },
    );
  }
}

function withoutResourceVersion(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export const notFound = (key: string) => new StorageError('KeyNotFound', `key not found: ${key}`, { key });
export const keyExists = (key: string) => new StorageError('KeyExists', `key exists: ${key}`, { key });
