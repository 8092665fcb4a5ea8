import type { Entry, Snapshot } from './types.js';

/**
 * The not-yet-durable tail of the log (and a received snapshot not yet installed). Entries at index
 * >= offset live here until the driver reports them persisted (stableTo). `offsetInProgress` marks
 * what ready() already handed out, so a second hasReady() before advance() does not repeat it.
 */
export class Unstable {
  snapshot: Snapshot | undefined;
  snapshotInProgress = false;
  entries: Entry[] = [];
  offsetInProgress: number;

  constructor(public offset: number) {
    this.offsetInProgress = offset;
  }

  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  /** Term of entry i if this tail knows it. */
  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === i) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset]!.term;
  }

  /** Entries not yet handed out by ready(). */
  nextEntries(): Entry[] {
    const from = this.offsetInProgress - this.offset;
    return from >= this.entries.length ? [] : this.entries.slice(from);
  }

  nextSnapshot(): Snapshot | undefined {
    return this.snapshot && !this.snapshotInProgress ? this.snapshot : undefined;
  }

  acceptInProgress(): void {
    this.offsetInProgress = this.offset + this.entries.length;
    if (this.snapshot) this.snapshotInProgress = true;
  }

  /** Entries up to (i, t) are durable. Ignored if the tail was rewritten since (term mismatch). */
  stableTo(i: number, t: number): void {
    if (this.maybeTerm(i) !== t || i < this.offset) return;
    this.entries = this.entries.slice(i + 1 - this.offset);
    this.offset = i + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  stableSnapTo(i: number): void {
    if (this.snapshot && this.snapshot.metadata.index === i) {
      this.snapshot = undefined;
      this.snapshotInProgress = false;
    }
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = s;
    this.snapshotInProgress = false;
  }

  /** Appends contiguous entries, truncating any tail at or after ents[0].index. */
  truncateAndAppend(ents: Entry[]): void {
    const from = ents[0]!.index;
    if (from === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents);
    } else if (from <= this.offset) {
      // Replaces the whole tail; the driver overwrites durable entries >= from when persisting.
      this.offset = from;
      this.offsetInProgress = from;
      this.entries = ents.slice();
    } else {
      this.entries = this.entries.slice(0, from - this.offset).concat(ents);
      this.offsetInProgress = Math.min(this.offsetInProgress, from);
    }
  }

  /** Entries in [lo, hi), all of which must be >= offset. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
