import type { KubeObject } from '../api/index.js';
import type { Backend, ListResult } from './backend.js';
import { decodeKv } from './codec.js';
import { decodeContinue, encodeContinue, keyAfter } from './continue-token.js';
import { isStorageError, StorageError } from './errors.js';
import type { ResolvedObjectStoreOptions } from './object-store-impl.js';
import { parseResourceVersion, waitForRevision } from './object-store-rv.js';
import type { ListObjectsOptions, ListObjectsResult } from './object-store.js';

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. ' +
  'You can start a new list without the continue parameter, or use the continue value from this response.';

/** Where a list reads: the snapshot revision (0 = latest) and the first key. */
interface ListStart {
  revision: number;
  startKey: string;
  fromContinue: boolean;
}

/**
 * Resolves resourceVersion, resourceVersionMatch and continue into a read position (api-surface §8):
 * continue pins its snapshot; "N" Exact reads at N; "N" NotOlderThan waits for N and reads the
 * latest; unset and "0" read the latest (a plain store has nothing older to offer for "0").
 */
export async function resolveListStart(
  backend: Backend,
  waitMs: number,
  prefix: string,
  lo: Pick<ListObjectsOptions, 'resourceVersion' | 'resourceVersionMatch' | 'continue'>,
): Promise<ListStart> {
  const rv = parseResourceVersion(lo.resourceVersion);
  if (lo.continue) {
    if (rv !== undefined && rv !== 0) {
      throw new StorageError('InvalidArgument', 'specifying resource version is not allowed when using continue');
    }
    const pos = decodeContinue(lo.continue, prefix);
    return { revision: pos.revision === -1 ? 0 : pos.revision, startKey: pos.startKey, fromContinue: true };
  }
  if (rv !== undefined && rv > 0) {
    await waitForRevision(backend, rv, waitMs);
    return { revision: lo.resourceVersionMatch === 'Exact' ? rv : 0, startKey: prefix, fromContinue: false };
  }
  return { revision: 0, startKey: prefix, fromContinue: false };
}

/** LIST over the backend: filters with the predicate and fills pages of `limit` matching items. */
export async function listObjects(
  backend: Backend,
  opts: ResolvedObjectStoreOptions,
  prefix: string,
  lo: ListObjectsOptions,
): Promise<ListObjectsResult> {
  const start = await resolveListStart(backend, opts.futureRevisionWaitMs, prefix, lo);
  const limit = lo.limit && lo.limit > 0 ? lo.limit : 0;
  const pred = lo.predicate;
  const items: KubeObject[] = [];
  let revision = start.revision;
  let startKey = start.startKey;
  let fetch = limit;
  let more = false;
  let lastKey = '';
  let remaining: number | undefined;
  for (;;) {
    const res = await readPage(backend, prefix, revision, startKey, fetch, start.fromContinue);
    // Every further read of this list is pinned to the first read's snapshot.
    revision = res.revision;
    let i = 0;
    for (; i < res.kvs.length && (limit === 0 || items.length < limit); i++) {
      const kv = res.kvs[i]!;
      lastKey = kv.key;
      const obj = decodeKv(opts.codec, kv);
      if (pred.everything || pred.matches(obj)) items.push(obj);
    }
    more = i < res.kvs.length || res.more;
    if (pred.everything && more) remaining = res.count - i;
    if (!more || (limit > 0 && items.length >= limit)) break;
    // A selective predicate left the page short: read on, in growing chunks (as upstream does).
    startKey = keyAfter(lastKey);
    fetch = Math.min(fetch * 2, opts.maxListFetch);
  }
  const result: ListObjectsResult = { items, resourceVersion: String(revision) };
  if (more) {
    result.continue = encodeContinue(prefix, keyAfter(lastKey), revision);
    if (remaining !== undefined && remaining > 0) result.remainingItemCount = remaining;
  }
  return result;
}

async function readPage(
  backend: Backend,
  prefix: string,
  revision: number,
  startKey: string,
  limit: number,
  fromContinue: boolean,
): Promise<ListResult> {
  try {
    return await backend.list(prefix, { revision, startKey, limit });
  } catch (err) {
    if (fromContinue && isStorageError(err, 'Compacted')) {
      // The pinned snapshot is gone. Hand out a token that continues at the latest revision from
      // the same key, so a client may finish the list inconsistently (410 with metadata.continue).
      throw new StorageError(
        'Compacted',
        CONTINUE_EXPIRED_MESSAGE,
        { ...err.details, continue: encodeContinue(prefix, startKey, -1) },
        { cause: err },
      );
    }
    throw err;
  }
}
