import type { KeyValue } from '../../storage/index.js';

/**
 * The last state of recently written or read keys, as this kplane saw it, for serializable reads:
 * the ObjectStore reads a key that way only as a hint for the compare-and-swap that follows, which
 * fails (and re-reads) when the hint is stale. An update or delete of an object this node just wrote
 * then costs one etcd round trip instead of two. Bounded by the bytes of the values it holds (keys
 * least recently set go first), not by a count: a count below the number of objects a client walks
 * through in order (an update of every ConfigMap of a namespace) would evict each key just before
 * it is asked for, and every hint would miss.
 */
export class HintCache {
  private readonly m = new Map<string, KeyValue>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 << 20) {}

  get(key: string): KeyValue | undefined {
    return this.m.get(key);
  }

  set(key: string, kv: KeyValue | undefined): void {
    this.drop(key);
    if (!kv) return;
    this.m.set(key, kv);
    this.bytes += size(key, kv);
    while (this.bytes > this.maxBytes) this.drop(this.m.keys().next().value!);
  }

  private drop(key: string): void {
    const old = this.m.get(key);
    if (!old) return;
    this.m.delete(key);
    this.bytes -= size(key, old);
  }
}

/** What an entry costs: its value, its key, and a fixed share for the record and the map. */
const size = (key: string, kv: KeyValue) => kv.value.byteLength + key.length + 100;
