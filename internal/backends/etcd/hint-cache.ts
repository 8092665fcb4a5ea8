import type { KeyValue } from '../../storage/index.js';

/**
 * The last state of recently written or read keys, as this kplane saw it, for serializable reads:
 * the ObjectStore reads a key that way only as a hint for the compare-and-swap that follows, which
 * fails (and re-reads) when the hint is stale. An update or delete of an object this node just wrote
 * then costs one etcd round trip instead of two. Bounded: the least recently set keys go first.
 */
export class HintCache {
  private readonly m = new Map<string, KeyValue>();

  constructor(private readonly max = 4096) {}

  get(key: string): KeyValue | undefined {
    return this.m.get(key);
  }

  set(key: string, kv: KeyValue | undefined): void {
    this.m.delete(key);
    if (!kv) return;
    this.m.set(key, kv);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
}
