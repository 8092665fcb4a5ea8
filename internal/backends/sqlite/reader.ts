import type Database from 'better-sqlite3';
import { resolveReadRevision, type GetResult, type KeyValue, type ListOptions, type ListResult, type WatchEvent } from '../../storage/index.js';
import { OP_DELETE } from './schema.js';
import { keyBytes, prefixEnd, prepareStatements, rowToKv, type LogRow } from './statements.js';

/** Where the readable history starts and ends (from the state machine of this connection). */
export type RevisionWindow = () => { revision: number; compactRevision: number };

/**
 * Reads of the sqlite store: the current state is a plain range scan of kv_current; a past revision
 * reads the newest kv_log row <= it per key. Synchronous, and each call is one consistent snapshot
 * (better-sqlite3 runs it to completion before any write on this connection).
 */
export class SqliteReader {
  private readonly st;

  constructor(
    db: Database.Database,
    private readonly window: RevisionWindow,
  ) {
    this.st = prepareStatements(db);
  }

  get(key: string, requested?: number): GetResult {
    const { revision: current, compactRevision } = this.window();
    const revision = resolveReadRevision(requested, current, compactRevision);
    const k = keyBytes(key);
    if (revision === current) {
      const row = this.st.current.get(k);
      return row ? { revision, kv: rowToKv(row) } : { revision };
    }
    const row = this.st.getAt.get(k, revision);
    return row && row.op !== OP_DELETE ? { revision, kv: rowToKv(row) } : { revision };
  }

  list(prefix: string, opts: ListOptions = {}): ListResult {
    const { revision: current, compactRevision } = this.window();
    const revision = resolveReadRevision(opts.revision, current, compactRevision);
    const start = opts.startKey ? keyBytes(opts.startKey) : undefined;
    const lo0 = keyBytes(prefix);
    const lo = start && Buffer.compare(start, lo0) > 0 ? start : lo0;
    const hi = prefixEnd(prefix);
    const atCurrent = revision === current;
    const count = () => (atCurrent ? this.st.countCurrent.get(lo, hi)! : this.countAt(lo, hi, revision, current));
    if (opts.countOnly) return { revision, kvs: [], more: false, count: count() };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    // One extra row tells whether there is more; the count query runs only when there is.
    const fetch = limit > 0 ? limit + 1 : -1;
    const rows = atCurrent ? this.st.rangeCurrent.all({ lo, hi, limit: fetch }) : this.st.rangeAt.all({ lo, hi, rev: revision, limit: fetch });
    const more = limit > 0 && rows.length > limit;
    const kvs = (more ? rows.slice(0, limit) : rows).map(rowToKv);
    return { revision, kvs, more, count: more ? count() : kvs.length };
  }

  /**
   * The number of keys in [lo, hi) at a past revision. A paged list reads every page at its first
   * page's revision and counts what remains after each (remainingItemCount), so this runs once per
   * page: evaluating the range at the revision row by row made a 100,000-item list quadratic. The
   * current count plus the difference the writes since made is cheaper while those writes are fewer
   * than the keys in the range (the usual case: a list takes seconds); otherwise the range is counted
   * at the revision directly.
   */
  private countAt(lo: Buffer, hi: Buffer, rev: number, current: number): number {
    const now = this.st.countCurrent.get(lo, hi)!;
    if (current - rev > now) return this.st.countAt.get({ lo, hi, rev })!;
    return now + (this.st.countDeltaSince.get({ lo, hi, rev }) ?? 0);
  }

  /** The watch hub's HistoryReader: matching events in (after, until] with prevKv. */
  history(prefix: string, after: number, until: number, limit: number): WatchEvent[] {
    return this.st.history.all({ after, until, lo: keyBytes(prefix), hi: prefixEnd(prefix), limit }).map(toEvent);
  }

  /** Leases whose absolute expiry is at or before nowMs. */
  dueLeases(nowMs: number): number[] {
    return this.st.dueLeases.all(nowMs);
  }

  maxLeaseId(): number {
    return this.st.maxLeaseId.get() ?? 0;
  }
}

// Builds the same event the state machine emitted live (events must not depend on where they came from).
function toEvent(r: LogRow): WatchEvent {
  const key = r.key.toString('utf8');
  const prevKv: KeyValue | undefined =
    r.p_rev === null
      ? undefined
      : rowToKv({ key: r.key, rev: r.p_rev, create_rev: r.p_create_rev!, version: r.p_version!, lease_id: r.p_lease_id!, value: r.p_value });
  if (r.op === OP_DELETE) {
    return { type: 'delete', kv: { key, value: new Uint8Array(0), createRevision: 0, modRevision: r.rev, version: 0, lease: 0 }, prevKv };
  }
  const kv = rowToKv(r);
  return prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
}
