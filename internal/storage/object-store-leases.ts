import type { Clock } from '../util/index.js';
import type { Backend } from './backend.js';

/**
 * Hands out backend leases for ttlSeconds writes. Events arrive in bursts with the same TTL, and a
 * lease per write would flood the backend with leases, so one lease is reused for writes with the
 * same TTL for `reuseSeconds`; its TTL is extended by that window so no key dies early. Keys thus live
 * between ttl and ttl + reuseSeconds (upstream's lease manager makes the same trade).
 */
export class LeaseCache {
  private readonly byTtl = new Map<number, { id: number; grantedAtMs: number }>();
  private readonly pending = new Map<number, Promise<number>>();

  constructor(
    private readonly backend: Backend,
    private readonly clock: Clock,
    private readonly reuseSeconds = 60,
  ) {}

  /** A lease id that keeps a key alive at least ttlSeconds from now. */
  async leaseFor(ttlSeconds: number): Promise<number> {
    const reuse = Math.min(this.reuseSeconds, Math.max(1, Math.floor(ttlSeconds / 20)));
    const cur = this.byTtl.get(ttlSeconds);
    if (cur && this.clock.now() - cur.grantedAtMs < reuse * 1000) return cur.id;
    // Collapse concurrent grants for the same TTL into one backend call.
    let p = this.pending.get(ttlSeconds);
    if (!p) {
      const grantedAtMs = this.clock.now();
      p = this.backend.grantLease(ttlSeconds + reuse).then(
        (id) => {
          this.byTtl.set(ttlSeconds, { id, grantedAtMs });
          this.pending.delete(ttlSeconds);
          return id;
        },
        (err: unknown) => {
          this.pending.delete(ttlSeconds);
          throw err;
        },
      );
      this.pending.set(ttlSeconds, p);
    }
    return p;
  }
}
