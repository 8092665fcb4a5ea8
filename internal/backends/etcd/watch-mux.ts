import { StorageError, type KeyValue, type WatchBatch, type WatchEvent } from '../../storage/index.js';
import type { EtcdConnection, EtcdStream, Member } from './connection.js';
import type { Keyspace } from './keyspace.js';
import type { PbEvent, PbKeyValue, PbWatchResponse } from './proto.js';
import { ProgressGate } from './progress-gate.js';

/** One Backend.watch riding the shared stream. */
export interface MuxWatch {
  key: Buffer;
  rangeEnd: Buffer;
  /** The last revision handed to the consumer; a re-created watch starts after it. -1: "now", not yet known. */
  delivered: number;
  /** Ask for progress notifications; unset: none. */
  progressIntervalMs?: number;
  progressRepeatMs: number;
  push(b: WatchBatch): void;
  fail(err: unknown): void;
}

interface Entry {
  w: MuxWatch;
  id: number;
  created: boolean;
  createdRevision: number;
  createdAt: number;
  fragments: PbEvent[];
  lastProgressAt: number;
}

/** etcd's id for responses meant for every watch of a stream (progress on request). */
const ALL_WATCHES = -1;
/** Progress is asked for periodically no more often than this; consistent reads ask on demand. */
export const PROGRESS_FLOOR_MS = 1000;

/**
 * All watches of a backend multiplexed over one etcd Watch stream (one HTTP/2 stream, whatever the
 * number of resources the watch cache follows). The stream moves to another member when its member
 * fails, and every watch is created again from the revision after the last one it delivered, so no
 * event is lost or repeated. Progress notifications are asked for on demand (requestProgress, e.g.
 * before a consistent read) and on one timer for the whole stream, never per watch.
 */
export class WatchMux {
  private entries = new Map<number, Entry>();
  private nextId = 1;
  private stream: EtcdStream<PbWatchResponse> | undefined;
  private member: Member | undefined;
  private reconnectMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly gate: ProgressGate;

  constructor(
    private readonly conn: EtcdConnection,
    private readonly ks: Keyspace,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {
    this.gate = new ProgressGate(() => this.conn.version(), () => this.sendProgressRequest());
  }

  add(w: MuxWatch): number {
    const id = this.nextId++;
    const e: Entry = { w, id, created: false, createdRevision: 0, createdAt: 0, fragments: [], lastProgressAt: 0 };
    this.entries.set(id, e);
    if (this.stream) this.sendCreate(e);
    else this.connect();
    this.scheduleProgress();
    return id;
  }

  remove(id: number): void {
    if (!this.entries.delete(id)) return;
    this.stream?.write({ cancelRequest: { watchId: id } });
  }

  /** Asks etcd for the current revision on the stream; watches hear of it as progress. */
  requestProgress(): void {
    if (this.stream && this.entries.size > 0) this.gate.request();
  }

  /**
   * Asks for progress only when a watch that takes progress has not been told of revision `rev`
   * yet: a consistent read on a quiet store (every watch already at the current revision) then
   * costs no stream messages.
   */
  requestProgressBelow(rev: number): void {
    for (const e of this.entries.values()) {
      if (e.w.progressIntervalMs !== undefined && e.w.delivered < rev) return this.requestProgress();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.progressTimer);
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
    for (const e of this.entries.values()) e.w.fail(undefined);
    this.entries.clear();
  }

  private connect(): void {
    if (this.closed || this.stream || this.reconnectTimer) return;
    const m = this.conn.order()[0]!;
    const s = this.conn.stream<PbWatchResponse>(m, 'Watch', 'Watch');
    this.stream = s;
    this.member = m;
    this.gate.reset();
    s.on('data', (r: PbWatchResponse) => {
      this.reconnectMs = 100;
      this.onResponse(r);
    });
    s.on('error', (err) => this.lost(s, err));
    s.on('end', () => this.lost(s, new Error('etcd closed the watch stream')));
    for (const e of this.entries.values()) this.sendCreate(e);
  }

  private lost(s: EtcdStream<PbWatchResponse>, err: unknown): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    s.cancel();
    if (this.closed) return;
    this.log('etcd watch stream lost; resuming every watch on a member that answers', err);
    if (this.member) this.conn.mark(this.member, false, `watch stream: ${(err as Error).message}`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.entries.size > 0) this.connect();
    }, this.reconnectMs);
    this.reconnectMs = Math.min(this.reconnectMs * 2, 1000);
  }

  private sendCreate(e: Entry): void {
    e.created = false;
    e.fragments = [];
    const start = e.w.delivered < 0 ? 0 : e.w.delivered + 1;
    this.stream!.write({
      createRequest: { key: e.w.key, rangeEnd: e.w.rangeEnd, startRevision: start, prevKv: true, fragment: true, watchId: e.id },
    });
  }

  private onResponse(r: PbWatchResponse): void {
    if (r.watchId === ALL_WATCHES && !r.created && !r.canceled && r.events.length === 0) {
      const rev = this.gate.onResponse(r.header.revision);
      if (rev > 0) for (const e of this.entries.values()) this.progress(e, rev, true);
      return;
    }
    const e = this.entries.get(r.watchId);
    if (!e) return;
    if (r.created) {
      e.created = true;
      e.createdRevision = r.header.revision;
      e.createdAt = Date.now();
      if (e.w.delivered < 0) e.w.delivered = r.header.revision;
    }
    if (r.canceled) {
      this.entries.delete(e.id);
      if (r.compactRevision > 0) e.w.fail(new StorageError('Compacted', `etcd: watch from revision ${e.w.delivered + 1} is below the compacted revision ${r.compactRevision}`, { compactRevision: r.compactRevision }));
      else e.w.fail(new StorageError('Unavailable', `etcd canceled the watch: ${r.cancelReason || 'no reason given'}`));
      return;
    }
    if (r.events.length > 0) {
      e.fragments.push(...r.events);
      if (!r.fragment) this.deliver(e);
    } else if (!r.created && r.watchId === e.id) {
      // A progress notification of this watch alone (etcd's per-watch progress_notify).
      this.progress(e, r.header.revision, false);
    }
  }

  private deliver(e: Entry): void {
    const events = e.fragments.map((ev) => this.event(ev));
    e.fragments = [];
    const lost = events.find((ev) => !ev.prevKv && (ev.type === 'delete' || ev.kv.version > 1));
    if (lost) {
      // etcd reads an event's previous value at the revision before it; it is missing only when
      // that was compacted, i.e. this change is at or below the compaction point.
      this.entries.delete(e.id);
      this.stream?.write({ cancelRequest: { watchId: e.id } });
      e.w.fail(new StorageError('Compacted', `etcd watch: the change at revision ${lost.kv.modRevision} is at or below the compacted revision; relist`));
      return;
    }
    if (events[0]!.kv.modRevision <= e.w.delivered) {
      // Only a progress notification that overtook this event can do this (etcd before 3.4.25 and
      // 3.5.8 sent requested progress out of band): the consumer was told too much; it must relist.
      this.entries.delete(e.id);
      this.stream?.write({ cancelRequest: { watchId: e.id } });
      e.w.fail(new StorageError('Compacted', `etcd watch: event at revision ${events[0]!.kv.modRevision} arrived after progress ${e.w.delivered}; relist`));
      return;
    }
    const revision = events[events.length - 1]!.kv.modRevision;
    e.w.delivered = revision;
    e.w.push({ revision, events });
  }

  private progress(e: Entry, rev: number, shared: boolean): void {
    if (!e.created || e.w.progressIntervalMs === undefined) return;
    // Before the fixed etcd versions a shared progress could run ahead of a watch still catching up.
    if (shared && this.gate.racy && !(e.createdRevision <= e.w.delivered || Date.now() - e.createdAt >= PROGRESS_FLOOR_MS)) return;
    const now = Date.now();
    if (rev > e.w.delivered || (rev === e.w.delivered && now - e.lastProgressAt >= e.w.progressRepeatMs)) {
      e.w.delivered = Math.max(rev, e.w.delivered);
      e.lastProgressAt = now;
      e.w.push({ revision: e.w.delivered, events: [] });
    }
  }

  private sendProgressRequest(): boolean {
    if (!this.stream) return false;
    this.stream.write({ progressRequest: {} });
    return true;
  }

  private scheduleProgress(): void {
    if (this.progressTimer || this.closed) return;
    let min = Infinity;
    for (const e of this.entries.values()) if (e.w.progressIntervalMs !== undefined) min = Math.min(min, e.w.progressIntervalMs);
    if (min === Infinity) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.requestProgress();
      this.scheduleProgress();
    }, Math.max(min, PROGRESS_FLOOR_MS));
    this.progressTimer.unref();
  }

  private event(ev: PbEvent): WatchEvent {
    const kv = this.kv(ev.kv);
    return ev.type === 'DELETE' ? { type: 'delete', kv, prevKv: ev.prevKv ? this.kv(ev.prevKv) : undefined } : { type: 'put', kv, prevKv: ev.prevKv ? this.kv(ev.prevKv) : undefined };
  }

  kv(kv: PbKeyValue): KeyValue {
    return { key: this.ks.fromEtcd(kv.key), value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease };
  }
}
