import type { ProgressState, ProgressStatus } from './types.js';

/**
 * Append messages sent to one follower and not yet acknowledged, bounded by count and bytes.
 * Each record is (last index of the message, its payload bytes); acks free records by index.
 */
export class Inflights {
  private items: { index: number; bytes: number }[] = [];
  private bytes = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number, // 0 = unlimited
  ) {}

  add(index: number, bytes: number): void {
    this.items.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= to. */
  freeLE(to: number): void {
    let n = 0;
    while (n < this.items.length && this.items[n]!.index <= to) {
      this.bytes -= this.items[n]!.bytes;
      n++;
    }
    if (n > 0) this.items = this.items.slice(n);
  }

  /** Frees the oldest record, if any. */
  freeFirstOne(): void {
    const first = this.items.shift();
    if (first) this.bytes -= first.bytes;
  }

  full(): boolean {
    return this.items.length >= this.maxCount || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  count(): number {
    return this.items.length;
  }

  /** Last index of the newest append in flight, or undefined when none is. */
  lastIndex(): number | undefined {
    return this.items[this.items.length - 1]?.index;
  }

  reset(): void {
    this.items = [];
    this.bytes = 0;
  }
}

/**
 * The leader's view of one follower (etcd tracker.Progress; see design of probe/replicate/snapshot):
 * - probe: one append per heartbeat interval until a match is found;
 * - replicate: optimistic pipelining, bounded by Inflights;
 * - snapshot: a snapshot is on its way; nothing else is sent until it is reported.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Index of the snapshot being sent (snapshot state). */
  pendingSnapshot = 0;
  /** Election-timeout rounds spent in the snapshot state (see SNAPSHOT_TIMEOUT_ROUNDS). */
  snapshotRounds = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** Probe state: an append was sent; wait for its answer or a heartbeat response. */
  probeSent = false;
  readonly inflights: Inflights;

  constructor(
    next: number,
    public isLearner: boolean,
    maxInflight: number,
    maxInflightBytes: number,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotRounds = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower has at least the snapshot's entries.
    const pending = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.resetState('probe');
    this.next = Math.max(this.match + 1, pending + 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an append of `count` entries (`bytes` payload) ending at lastIndex. */
  sentEntries(count: number, lastIndex: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** An ack for index n. Returns true if match advanced. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the append after index `rejected`, with the follower's hint of where its log
   * might match. Returns false if the rejection is stale (already superseded).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  toStatus(): ProgressStatus {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      isLearner: this.isLearner,
      recentActive: this.recentActive,
      inflight: this.inflights.count(),
      pendingSnapshot: this.pendingSnapshot,
    };
  }
}
