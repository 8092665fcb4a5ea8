import type { KubeObject } from '../api/index.js';
import type { WriteGuard } from './backend.js';

/**
 * Filters objects for list and watch. Built by the registry from label and field selectors;
 * `matches` must be pure and cheap (it runs on every event for every watcher).
 */
export interface SelectionPredicate {
  matches(obj: KubeObject): boolean;
  /** True when the predicate accepts everything (lets stores skip decoding work). */
  readonly everything: boolean;
}

export const everything: SelectionPredicate = { matches: () => true, everything: true };

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

export interface ListObjectsOptions {
  /** "" = latest (consistent), "0" = any (cache allowed), "N" = see resourceVersionMatch. */
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Page size; 0 = unlimited. */
  limit?: number;
  /** Opaque token from a previous page; pins its snapshot revision. */
  continue?: string;
  predicate: SelectionPredicate;
}

export interface ListObjectsResult {
  items: KubeObject[];
  /** The snapshot revision of the list, as a string. */
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface ObjectEvent {
  type: ObjectEventType;
  /** For BOOKMARK: only metadata.resourceVersion (and annotations for the initial-events-end bookmark). */
  object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  prevObject?: KubeObject;
}

export interface WatchObjectsOptions {
  /** "" or "0": start with synthetic ADDED for the current state, then changes. "N": changes after N. */
  resourceVersion?: string;
  /** Watch-list: ADDED for the current state, then a BOOKMARK annotated k8s.io/initial-events-end.
   *  Unset: initial ADDED events only for resourceVersion "" or "0" (the legacy behaviour).
   *  false: no initial events at all; with "" or "0" the watch starts at the current revision. */
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  /** Watch a single key (false) or everything under the prefix (true). */
  recursive: boolean;
  predicate: SelectionPredicate;
  signal: AbortSignal;
}

export type TryUpdate = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/**
 * ObjectStore: decoded Kubernetes objects over a Backend (after k8s.io/apiserver storage.Interface,
 * kept to six verbs). It sets metadata.resourceVersion from the backend's revisions and never
 * trusts the one stored inside the value. Errors are StorageError: KeyNotFound, KeyExists,
 * Conflict (a precondition failed), Compacted (too-old revision or continue token), FutureRevision,
 * GuardFailed (a write's `guard` did not hold: see Backend's WriteGuard; never retried).
 */
export interface ObjectStore {
  /** Stores a new object at key. `ttlSeconds` attaches a lease (Events). dryRun: validate only. */
  create(key: string, obj: KubeObject, opts?: { ttlSeconds?: number; dryRun?: boolean; guard?: WriteGuard }): Promise<KubeObject>;

  /**
   * Reads one object. resourceVersion "0" may be served from a cache. `atRevision`: read the state
   * as of that revision, which the caller knows is committed (a linearizable currentRevision it just
   * read): as consistent as a fresh read, without another quorum round.
   */
  get(key: string, opts?: { resourceVersion?: string; atRevision?: number }): Promise<KubeObject>;

  /** Lists objects under prefix with pagination on a consistent snapshot. */
  list(prefix: string, opts: ListObjectsOptions): Promise<ListObjectsResult>;

  /**
   * Read-modify-write with retries on concurrent modification: calls tryUpdate with the current
   * object (or throws KeyNotFound), writes the result with CAS, and retries from a fresh read when
   * another writer won. Preconditions are checked against each current object (Conflict). tryUpdate
   * may throw to abort (the error propagates unchanged). Returns the stored object.
   * The first attempt may start from a local copy that lags the cluster; tryUpdate is then called
   * again with the committed state, so it must not have side effects outside its result.
   */
  guaranteedUpdate(
    key: string,
    tryUpdate: TryUpdate,
    opts?: { preconditions?: Preconditions; dryRun?: boolean; ttlSeconds?: number; guard?: WriteGuard },
  ): Promise<KubeObject>;

  /**
   * Deletes the object; `validateDeletion` sees the current object and may throw to refuse.
   * Returns the last state of the object.
   */
  delete(
    key: string,
    opts?: { preconditions?: Preconditions; validateDeletion?: (obj: KubeObject) => void | Promise<void>; dryRun?: boolean; guard?: WriteGuard },
  ): Promise<KubeObject>;

  /** Streams changes; throws StorageError Compacted when resourceVersion is too old or the watcher lags. */
  watch(key: string, opts: WatchObjectsOptions): AsyncIterable<ObjectEvent>;
}
