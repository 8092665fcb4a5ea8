/**
 * The keys of a cache in byte order, kept up to date without re-sorting them all: a key greater
 * than every sorted key is appended at once; other inserts and deletes wait in two small sets and
 * are merged in one linear pass when someone next asks for the order. A list after a burst of k
 * writes over n keys costs O(n + k log k), not a sort of all n (which, with a list loop next to a
 * create flood, re-sorted every key before each list).
 *
 * The caller reports each key's transitions exactly: `add` for a key not present, `remove` for a
 * key present.
 */
export class SortedKeys {
  private sorted: string[] = [];
  /** Present keys not in `sorted`. */
  private readonly added = new Set<string>();
  /** Keys in `sorted` that are no longer present. */
  private readonly removed = new Set<string>();

  /** Replaces every key (unordered input). */
  reset(keys: Iterable<string>): void {
    this.sorted = [...keys].sort(compareKeys);
    this.added.clear();
    this.removed.clear();
  }

  add(key: string): void {
    if (this.removed.delete(key)) return; // still in `sorted`
    const n = this.sorted.length;
    if (n === 0 || compareKeys(this.sorted[n - 1]!, key) < 0) this.sorted.push(key);
    else this.added.add(key);
  }

  remove(key: string): void {
    if (!this.added.delete(key)) this.removed.add(key);
  }

  /** Every present key in byte order. The array is shared: do not change it. */
  keys(): readonly string[] {
    if (this.added.size > 0 || this.removed.size > 0) this.merge();
    return this.sorted;
  }

  private merge(): void {
    const adds = [...this.added].sort(compareKeys);
    const old = this.sorted;
    const removed = this.removed;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < old.length || j < adds.length) {
      if (j >= adds.length || (i < old.length && compareKeys(old[i]!, adds[j]!) < 0)) {
        const k = old[i++]!;
        if (removed.size === 0 || !removed.has(k)) out.push(k);
      } else {
        out.push(adds[j++]!);
      }
    }
    this.sorted = out;
    this.added.clear();
    removed.clear();
  }
}

// Kubernetes keys are ASCII paths, where UTF-16 order is byte order.
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The first index whose key is >= key. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
