import { RaftNodeError } from './errors.js';

interface Waiter<R> {
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

interface Queued<C, R> {
  cmd: C;
  w: Waiter<R>;
  deadline: number;
}

interface Batch<C, R> {
  id: number;
  items: Queued<C, R>[];
  deadline: number;
  /** Where the entry sits in this node's log once seen there (index, term). */
  at?: { index: number; term: number };
}

/**
 * Proposals waiting for their results. Commands queue up between pumps; each pump turns the queue
 * into one entry (group commit: whatever arrived while the last Ready was persisted shares the next
 * entry and fsync). The entry's envelope names this node and a batch id, so when any node's apply
 * loop reaches it here, the results go back to the callers in command order.
 */
export class ProposalTracker<C, R> {
  private queue: Queued<C, R>[] = [];
  private readonly inflight = new Map<number, Batch<C, R>>();

  /** firstId: batch ids count up from here; pick it so ids never repeat across restarts. */
  constructor(private nextId: number) {}

  get queued(): number {
    return this.queue.length;
  }

  get pending(): number {
    return this.inflight.size;
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.size === 0;
  }

  enqueue(cmd: C, deadline: number): Promise<R> {
    return new Promise<R>((resolve, reject) => this.queue.push({ cmd, w: { resolve, reject }, deadline }));
  }

  /**
   * Takes up to `max` queued commands as one batch and hands it to `propose`: 'ok' (the core took
   * it), 'requeue' (not now: put back, stop for this pump) or an Error for its callers.
   * Returns whether to call again.
   */
  takeBatch(max: number, propose: (id: number, cmds: C[]) => 'ok' | 'requeue' | Error): boolean {
    if (this.queue.length === 0) return false;
    const items = this.queue.splice(0, max);
    const id = this.nextId++;
    const r = propose(id, items.map((x) => x.cmd));
    if (r === 'requeue') {
      this.queue.unshift(...items);
      return false;
    }
    if (r instanceof Error) {
      for (const x of items) x.w.reject(r);
    } else {
      this.inflight.set(id, { id, items, deadline: Math.max(...items.map((x) => x.deadline)) });
    }
    return true;
  }

  /** Our batch `id` was appended to the local log at (index, term). */
  seen(id: number, index: number, term: number): void {
    const b = this.inflight.get(id);
    if (b) b.at = { index, term };
  }

  /** The engine refused batch `id` after it left the queue (a worker engine answers asynchronously). */
  failBatch(id: number, err: Error): void {
    const b = this.inflight.get(id);
    if (b) this.fail(b, err);
  }

  /**
   * The engine took batch `id` but its core refused it before anything was sent (a worker engine
   * whose core had no leader at that instant): nothing of it can ever commit, so its commands go
   * back to the front of the queue to be proposed again under the next leader, within their deadlines.
   */
  requeue(id: number): void {
    const b = this.inflight.get(id);
    if (!b || b.at) return;
    this.inflight.delete(id);
    this.queue.unshift(...b.items);
  }

  /** Our batch `id` was applied with these results. */
  complete(id: number, results: R[]): void {
    const b = this.inflight.get(id);
    if (!b) return;
    this.inflight.delete(id);
    b.items.forEach((x, i) => x.w.resolve(results[i]!));
  }

  /**
   * Entries through `index` were applied: a batch we saw at or below it but that did not complete
   * was overwritten by a new leader (or, after a snapshot install, its outcome is unknown here).
   */
  appliedThrough(index: number, viaSnapshot = false): void {
    for (const b of this.inflight.values()) {
      if (!b.at || b.at.index > index) continue;
      this.fail(
        b,
        viaSnapshot
          ? new RaftNodeError('LeaderChanged', `proposal at index ${b.at.index} was covered by a snapshot; it may or may not have been applied`)
          : new RaftNodeError('Dropped', `proposal at index ${b.at.index} was replaced by a new leader`),
      );
    }
  }

  /** A new leader: batches not yet seen in our log may have died with the old one. */
  leaderChanged(): void {
    for (const b of this.inflight.values()) {
      if (!b.at) this.fail(b, new RaftNodeError('LeaderChanged', 'leader changed before the write reached this node; it may or may not have been applied'));
    }
  }

  expire(now: number): void {
    this.queue = this.queue.filter((x) => {
      if (x.deadline > now) return true;
      // Never handed to a leader: certainly not applied.
      x.w.reject(new RaftNodeError('NoLeader', 'no leader accepted the write in time; it was not applied'));
      return false;
    });
    for (const b of this.inflight.values()) {
      if (b.deadline <= now) this.fail(b, new RaftNodeError('Timeout', 'write not applied in time; it may or may not have been applied'));
    }
  }

  /** Fails everything (the node stops): queued commands with `err`; batches already handed on as indeterminate. */
  failAll(err: Error): void {
    for (const x of this.queue.splice(0)) x.w.reject(err);
    const code = err instanceof RaftNodeError ? err.code : 'Stopped';
    const sent = new RaftNodeError(code, `${err.message}; the write may or may not have been applied`, { indeterminate: true });
    for (const b of this.inflight.values()) this.fail(b, sent);
  }

  private fail(b: Batch<C, R>, err: Error): void {
    this.inflight.delete(b.id);
    for (const x of b.items) x.w.reject(err);
  }
}
