import { RaftNodeError } from './errors.js';

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  deadline: number;
}

/**
 * Linearizable read barriers (ReadIndex). Barriers that arrive between pumps share one ReadIndex
 * request (etcd batches them the same way). When the core answers with a read index, the waiters
 * resolve as soon as the local applied index reaches it. A request lost to a leader change or a
 * dropped message is re-issued after `retryMs`; a barrier fails after its deadline.
 */
export class ReadBarriers {
  private unsent: Waiter[] = [];
  private readonly sent = new Map<string, { waiters: Waiter[]; at: number }>();
  private ready: { index: number; waiters: Waiter[] }[] = [];
  private seq = 0;

  constructor(private readonly retryMs: number) {}

  get pending(): number {
    return this.unsent.length + [...this.sent.values()].reduce((n, r) => n + r.waiters.length, 0) + this.ready.reduce((n, r) => n + r.waiters.length, 0);
  }

  /** True while any barrier waits (cheap: the driver asks after every tick). */
  get waiting(): boolean {
    return this.unsent.length > 0 || this.sent.size > 0 || this.ready.length > 0;
  }

  add(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => this.unsent.push({ resolve, reject, deadline }));
  }

  /**
   * Issues one ReadIndex request for the waiting barriers, and re-issues requests older than retryMs.
   * `request` returns false when the core has no leader to ask (the waiters stay queued).
   */
  flush(now: number, request: (ctx: Uint8Array) => boolean): void {
    for (const [key, r] of this.sent) {
      if (now - r.at < this.retryMs) continue;
      this.sent.delete(key);
      this.unsent.push(...r.waiters);
    }
    if (this.unsent.length === 0) return;
    const ctx = Buffer.from(`rb${++this.seq}`);
    if (!request(ctx)) return;
    this.sent.set(ctx.toString(), { waiters: this.unsent, at: now });
    this.unsent = [];
  }

  /** The core's answer for `ctx`: safe to read once applied >= index. */
  readState(ctx: Uint8Array, index: number): void {
    const key = Buffer.from(ctx.buffer, ctx.byteOffset, ctx.byteLength).toString();
    const r = this.sent.get(key);
    if (!r) return;
    this.sent.delete(key);
    this.ready.push({ index, waiters: r.waiters });
  }

  applied(index: number): void {
    if (this.ready.length === 0) return;
    const still: typeof this.ready = [];
    for (const r of this.ready) {
      if (r.index <= index) for (const w of r.waiters) w.resolve();
      else still.push(r);
    }
    this.ready = still;
  }

  expire(now: number): void {
    const err = () => new RaftNodeError('Timeout', 'linearizable read: no read index from a leader in time');
    const keep = (ws: Waiter[]) =>
      ws.filter((w) => {
        if (w.deadline > now) return true;
        w.reject(err());
        return false;
      });
    this.unsent = keep(this.unsent);
    for (const r of this.sent.values()) r.waiters = keep(r.waiters);
    for (const r of this.ready) r.waiters = keep(r.waiters);
  }

  failAll(e: Error): void {
    for (const w of this.unsent.splice(0)) w.reject(e);
    for (const r of this.sent.values()) for (const w of r.waiters) w.reject(e);
    this.sent.clear();
    for (const r of this.ready.splice(0)) for (const w of r.waiters) w.reject(e);
  }
}
