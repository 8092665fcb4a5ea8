import type { ConfState, Entry, HardState, Snapshot } from './types.js';

export type LogStorageErrorCode =
  /** The requested index is at or below the compaction point (firstIndex() - 1 is still answerable by term()). */
  | 'Compacted'
  /** The requested index is above lastIndex(). */
  | 'Unavailable'
  /** snapshot() cannot produce a snapshot right now; the core retries on a later heartbeat. */
  | 'SnapshotTemporarilyUnavailable';

/** The only errors a LogStorage may throw for expected conditions. Anything else is fatal to the node. */
export class LogStorageError extends Error {
  override readonly name = 'LogStorageError';
  constructor(
    readonly code: LogStorageErrorCode,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export function isLogStorageError(err: unknown, code?: LogStorageErrorCode): err is LogStorageError {
  return err instanceof LogStorageError && (code === undefined || err.code === code);
}

export interface InitialState {
  hardState: HardState;
  /** The configuration as of Config.applied (usually: the latest snapshot's confState). */
  confState: ConfState;
}

/**
 * Read-only, synchronous view of the durable log, as etcd-raft's Storage. The core never writes to it:
 * the driver writes what Ready hands out (see Ready) and then calls advance(). The log held is
 * (firstIndex()-1 .. lastIndex()], where firstIndex()-1 is the snapshot index whose term is still known.
 * A LogStorage is used by one core only, from one thread; results must not be mutated by either side.
 */
export interface LogStorage {
  /** The durable HardState and configuration at start-up. */
  initialState(): InitialState;
  /**
   * Entries with index in [lo, hi), in order. With maxBytes, returns the longest prefix whose total
   * data size stays <= maxBytes, but always at least one entry. Throws LogStorageError 'Compacted' if
   * lo < firstIndex(), 'Unavailable' if hi > lastIndex() + 1.
   */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /**
   * Term of entry i, for firstIndex()-1 <= i <= lastIndex(). Throws 'Compacted' below that range,
   * 'Unavailable' above it.
   */
  term(i: number): number;
  /** Index of the first entry still stored (snapshot index + 1). */
  firstIndex(): number;
  /** Index of the last stored entry (the snapshot index when there is none). */
  lastIndex(): number;
  /** The most recent snapshot. May throw 'SnapshotTemporarilyUnavailable'. */
  snapshot(): Snapshot;
}

/** Size of an entry for flow-control and limits: its payload length (headers are ignored). */
export function entrySize(e: Entry): number {
  return e.data.length;
}

export function entriesSize(es: readonly Entry[]): number {
  let n = 0;
  for (const e of es) n += e.data.length;
  return n;
}

/** Longest prefix of `es` with total size <= maxBytes, but at least one entry. */
export function limitSize(es: Entry[], maxBytes: number | undefined): Entry[] {
  if (maxBytes === undefined || es.length === 0) return es;
  let size = entrySize(es[0]!);
  let n = 1;
  for (; n < es.length; n++) {
    size += entrySize(es[n]!);
    if (size > maxBytes) break;
  }
  return n === es.length ? es : es.slice(0, n);
}
