/**
 * client-go's EventSourceObjectSpamFilter (the legacy recorder's correlator, which every
 * kube-controller-manager controller and the kubelet record through): each object an event is
 * about has a token bucket of `burst` events, refilled one per `refillMs`; an event that finds its
 * bucket empty is dropped. A ReplicaSet creating 1,000 pods so records 25 SuccessfulCreate events,
 * not 1,000. The buckets are an LRU of `size` objects, as client-go's.
 */
export interface SpamFilterOptions {
  burst: number;
  refillMs: number;
  size: number;
}

/** client-go's defaults: burst 25, one event per 5 minutes, 4,096 objects remembered. */
export const SPAM_FILTER_DEFAULTS: SpamFilterOptions = { burst: 25, refillMs: 300_000, size: 4096 };

interface Bucket {
  tokens: number;
  at: number;
}

export class EventSpamFilter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: SpamFilterOptions = SPAM_FILTER_DEFAULTS) {}

  /** True if an event about the object `key` may be recorded at `now` (ms); takes its token. */
  allow(key: string, now: number): boolean {
    const { burst, refillMs, size } = this.opts;
    const prev = this.buckets.get(key);
    const b: Bucket = prev ? { tokens: Math.min(burst, prev.tokens + Math.max(0, now - prev.at) / refillMs), at: now } : { tokens: burst, at: now };
    // Most recently used last: the first entry is the one to forget.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > size) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
