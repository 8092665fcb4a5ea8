import { Heap } from './heap.js';
import type { PodInfo } from './pod-info.js';

const LONG_FLUSH_MS = 30_000;

/** A pod waiting to be scheduled, with its attempt history. */
export interface QueuedPod {
  info: PodInfo;
  attempts: number;
  /** When it entered the active queue (orders pods of equal priority). */
  enqueuedAt: number;
  backoffUntil: number;
  /** Where it waits: 'active', 'backoff', 'unschedulable', or 'inflight' while a cycle runs. */
  where: 'active' | 'backoff' | 'unschedulable' | 'inflight';
  /** The move-request count when it was popped (an event during its cycle sends it to backoff). */
  cycle: number;
  unschedulableAt: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** An unschedulable pod is retried at least this often even without events (upstream: 5 min). */
  maxUnschedulableMs?: number;
}

/**
 * The scheduling queue: active (priority, then arrival), backoff (after a failed attempt, 1 s
 * doubling to 10 s) and unschedulable (waiting for a cluster event that could make it fit). Pure
 * data structure: time comes in as arguments.
 */
export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  private readonly active = new Heap<QueuedPod>((a, b) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.enqueuedAt < b.enqueuedAt));
  private readonly backoff = new Heap<QueuedPod>((a, b) => a.backoffUntil < b.backoffUntil);
  private readonly waiting = new Set<QueuedPod>();
  private moveRequests = 0;
  private lastLongFlush = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly maxUnschedulable: number;

  constructor(opts: QueueOptions = {}) {
    this.initial = opts.initialBackoffMs ?? 1000;
    this.max = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  /** Counts by sub-queue, for logs and tests. */
  stats(): Record<QueuedPod['where'], number> {
    const out = { active: 0, backoff: 0, unschedulable: 0, inflight: 0 };
    for (const q of this.pods.values()) out[q.where]++;
    return out;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  /**
   * A new or updated pending pod. An unschedulable pod whose spec changed (`retry`) is tried again;
   * other updates (its status) only refresh what the queue holds.
   */
  add(info: PodInfo, now: number, retry = true): void {
    const q = this.pods.get(info.key);
    if (!q) {
      const fresh: QueuedPod = { info, attempts: 0, enqueuedAt: now, backoffUntil: 0, where: 'active', cycle: 0, unschedulableAt: 0 };
      this.pods.set(info.key, fresh);
      this.active.push(fresh);
      return;
    }
    q.info = info;
    if (retry && q.where === 'unschedulable') this.activate(q, now);
  }

  delete(key: string): void {
    const q = this.pods.get(key);
    if (q) {
      q.where = 'inflight'; // stale heap entries are skipped on pop
      this.waiting.delete(q);
    }
    this.pods.delete(key);
  }

  /** The next pod to try, or undefined when none is ready now. */
  pop(now: number): QueuedPod | undefined {
    this.flush(now);
    for (;;) {
      const q = this.active.pop();
      if (!q) return undefined;
      if (q.where !== 'active' || this.pods.get(q.info.key) !== q) continue;
      q.where = 'inflight';
      q.attempts++;
      q.cycle = this.moveRequests;
      return q;
    }
  }

  /** A popped pod that fit no node: unschedulable, or backoff if an event arrived meanwhile. */
  unschedulable(q: QueuedPod, now: number): void {
    if (this.pods.get(q.info.key) !== q) return;
    q.backoffUntil = now + this.backoffMs(q.attempts);
    if (this.moveRequests > q.cycle) {
      q.where = 'backoff';
      this.backoff.push(q);
      return;
    }
    q.where = 'unschedulable';
    q.unschedulableAt = now;
    this.waiting.add(q);
  }

  /** A popped pod whose attempt failed for another reason (a binding error): retry after backoff. */
  retry(q: QueuedPod, now: number): void {
    if (this.pods.get(q.info.key) !== q) return;
    q.backoffUntil = now + this.backoffMs(q.attempts);
    q.where = 'backoff';
    this.backoff.push(q);
  }

  /** A popped pod that was scheduled: it leaves the queue. */
  done(q: QueuedPod): void {
    if (this.pods.get(q.info.key) === q) this.pods.delete(q.info.key);
  }

  /** A cluster event that may make unschedulable pods fit (node added or changed, pod deleted). */
  moveAllToActiveOrBackoff(now: number): void {
    this.moveRequests++;
    for (const q of this.waiting) this.activate(q, now);
  }

  /** When the next backed-off or long-unschedulable pod becomes ready, if any. */
  nextReadyAt(): number | undefined {
    let at = this.backoff.peek()?.backoffUntil;
    if (this.waiting.size > 0) at = Math.min(at ?? Infinity, this.lastLongFlush + LONG_FLUSH_MS);
    return at;
  }

  private activate(q: QueuedPod, now: number): void {
    this.waiting.delete(q);
    if (q.backoffUntil > now) {
      q.where = 'backoff';
      this.backoff.push(q);
    } else {
      q.where = 'active';
      q.enqueuedAt = now;
      this.active.push(q);
    }
  }

  private flush(now: number): void {
    for (;;) {
      const q = this.backoff.peek();
      if (!q || q.backoffUntil > now) break;
      this.backoff.pop();
      if (q.where !== 'backoff' || this.pods.get(q.info.key) !== q) continue;
      q.where = 'active';
      q.enqueuedAt = now;
      this.active.push(q);
    }
    // Long-unschedulable pods are looked at every 30 s, as upstream's flush loop does.
    if (now - this.lastLongFlush < LONG_FLUSH_MS) return;
    this.lastLongFlush = now;
    for (const q of this.waiting) if (now - q.unschedulableAt >= this.maxUnschedulable) this.activate(q, now);
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.max, this.initial * 2 ** Math.max(0, attempts - 1));
  }
}
