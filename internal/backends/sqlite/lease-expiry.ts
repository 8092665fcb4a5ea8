import type { Clock } from '../../util/index.js';

/**
 * The lease expiry loop (datastore-anchors.md §d.4): every interval it asks the store which leases
 * are due by their stored absolute expiry time and proposes a revoke for each; applying the revoke
 * deletes the attached keys as normal deletes (with revisions and watch events). It never deletes
 * anything itself, so raftsqlite can run it on the leader only and followers just apply.
 */
export class LeaseExpiry {
  private cancel: (() => void) | undefined;
  private readonly inflight = new Set<number>();

  constructor(
    private readonly clock: Clock,
    private readonly due: (nowMs: number) => number[],
    private readonly revoke: (id: number) => Promise<void>,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.cancel) return;
    this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One pass; exposed so tests can drive it. */
  check(): void {
    for (const id of this.due(this.clock.now())) {
      if (this.inflight.has(id)) continue;
      this.inflight.add(id);
      this.revoke(id)
        .catch(() => {
          // The store is closing or the disk failed; the lease is still due and is retried next pass.
        })
        .finally(() => this.inflight.delete(id));
    }
  }

  private schedule(): void {
    this.cancel = this.clock.setTimeout(() => {
      this.check();
      if (this.cancel) this.schedule();
    }, this.intervalMs);
  }
}
