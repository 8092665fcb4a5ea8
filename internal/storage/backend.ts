/**
 * Backend: a key-value store with revisions, in etcd's data model.
 *
 * - One global revision counter. Every successful write (create, update, delete) gets the next
 *   revision; a failed compare-and-swap writes nothing and does not advance it.
 * - Each key carries createRevision (revision of the create that started its current life),
 *   modRevision (revision of its last change), version (1 on create, +1 per update; a delete ends the
 *   life and a later create starts again at 1) and lease (0 = none).
 * - History is kept for reads at a past revision and for watches, down to the compaction point.
 * - Keys are strings (Kubernetes keys are ASCII paths such as "/registry/configmaps/ns/name"),
 *   ordered by byte order. Values are opaque bytes.
 *
 * Implementations: memory (reference behaviour), sqlite, raftsqlite, etcd. They all pass
 * storage/testing's conformance suite.
 */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: number;
}

export interface ReadOptions {
  /** Read as of this revision; 0 or unset = latest. Below the compaction point: StorageError Compacted;
   *  above the current revision: StorageError FutureRevision. */
  revision?: number;
  /**
   * Serve the read from this node's local state without a quorum round (etcd's serializable read):
   * it may lag writes acknowledged elsewhere. Only for hints that a later compare-and-swap checks.
   * Backends without such a round (memory, sqlite) ignore it.
   */
  serializable?: boolean;
}

export interface ListOptions extends ReadOptions {
  /** Return at most this many keys; 0 or unset = all. */
  limit?: number;
  /** Start at this key (inclusive) instead of the prefix start; used by pagination. */
  startKey?: string;
  /** Return only the count and no values (kvs stays empty). */
  countOnly?: boolean;
}

export interface GetResult {
  /** The revision the read was served at (the store's current revision when unset). */
  revision: number;
  kv?: KeyValue;
}

export interface ListResult {
  revision: number;
  kvs: KeyValue[];
  /** True when keys beyond the limit exist in the range. */
  more: boolean;
  /** Number of keys in the range from startKey on (including the ones returned). */
  count: number;
}

export interface WriteResult {
  /** Revision of this write when it succeeded; the current revision when a CAS failed. */
  revision: number;
  succeeded: boolean;
  /** On success: the new kv (create, update) or the deleted one (delete).
   *  On a failed CAS: the current kv, if the key exists (so callers can retry without a read). */
  kv?: KeyValue;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** For put: the new kv. For delete: key with empty value, modRevision = the delete's revision. */
  kv: KeyValue;
  /** The kv before this event; present for updates and deletes (not for a create). */
  prevKv?: KeyValue;
}

/**
 * Events of one or more revisions in ascending order, or a progress notification (events empty).
 * A batch never splits one revision's events. After a batch with revision R, the watcher has seen
 * every matching change up to R.
 */
export interface WatchBatch {
  revision: number;
  events: WatchEvent[];
}

export interface WatchOptions {
  /** Deliver changes with revision > afterRevision. 0 = from "now" (the current revision). */
  afterRevision: number;
  /** Ends the watch; the iterator then returns. */
  signal: AbortSignal;
  /** Ask for progress notifications (empty batches) about every this many ms while idle. */
  progressIntervalMs?: number;
  /**
   * A revision the watcher was already handed is sent again no more often than this (default: every
   * progressIntervalMs). A consumer that needs progress only to learn of new revisions sets it high.
   */
  progressRepeatMs?: number;
}

/**
 * A fenced write (etcd: a second compare in the write's Txn): the write happens only if `key`'s
 * current modRevision equals `modRevision` (0 = the key must not exist), checked atomically with
 * the write. Otherwise the write throws StorageError GuardFailed and nothing is written (no
 * revision is used). Leader-elected writers guard with their Lease's key and revision, so a writer
 * deposed while paused can never commit.
 */
export interface WriteGuard {
  key: string;
  modRevision: number;
}

/** Options of every write. */
export interface WriteOptions {
  guard?: WriteGuard;
}

export interface Backend {
  /** Reads one key. Missing key: result without kv (not an error). */
  get(key: string, opts?: ReadOptions): Promise<GetResult>;

  /** Reads keys with the given prefix in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /** Creates key when it does not exist. Exists: StorageError KeyExists. */
  create(key: string, value: Uint8Array, opts?: { lease?: number } & WriteOptions): Promise<WriteResult>;

  /**
   * Replaces key's value when its modRevision equals expectedModRevision (compare-and-swap).
   * A missing key or a different modRevision gives succeeded=false, never an exception.
   */
  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number } & WriteOptions): Promise<WriteResult>;

  /**
   * Deletes key, when expectedModRevision is given only if it matches. Missing key or mismatch:
   * succeeded=false. The returned kv is the deleted value.
   */
  delete(key: string, opts?: { expectedModRevision?: number } & WriteOptions): Promise<WriteResult>;

  /**
   * Streams changes to keys with the prefix, strictly after opts.afterRevision, in revision order,
   * with no gaps and no duplicates. If afterRevision is below the compaction point the iterator
   * throws StorageError Compacted at once. A watcher that falls too far behind (its queue is full)
   * also gets StorageError Compacted, so the client relists; other watchers are never held back.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch>;

  /** Grants a lease with a TTL; keys attached to it are deleted when it expires. Returns its id. */
  grantLease(ttlSeconds: number): Promise<number>;

  /** Latest revision and the compaction point. */
  currentRevision(): Promise<{ revision: number; compactRevision: number }>;

  /** Discards history at and below revision (the newest version of each live key stays). */
  compact(revision: number): Promise<void>;

  /** Stops background work, ends watches, and closes files. Idempotent. */
  close(): Promise<void>;
}

/** Health and statistics, kept apart from Backend so it never accretes. */
export interface BackendStatus {
  name: string;
  /** True when the backend can serve reads and writes now. */
  ready(): boolean;
  stats(): Record<string, number | string>;
}
