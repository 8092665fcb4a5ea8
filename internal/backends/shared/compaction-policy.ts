import type { Clock } from '../../util/index.js';

export interface CompactionPolicyOptions {
  /** How often to sample the revision and consider compacting. Default 60 s. */
  intervalMs?: number;
  /** Keep at least this much history by time. Default 5 minutes (continue tokens live about that long). */
  retentionMs?: number;
  /**
   * And at least this many revisions. Small on purpose: an idle store must still compact, or old
   * continue tokens never expire (k8s-dqlite cut kine's floor of 1000 to 100 for that reason).
   */
  minRetainRevisions?: number;
}

/**
 * Decides when and how far to compact: every interval it records (time, revision), and compacts to
 * the newest revision that was current at least `retentionMs` ago, but never within
 * `minRetainRevisions` of the head. Pure decision logic plus one timer; the store does the work.
 * raftsqlite runs it on the leader only (compaction is a replicated op there).
 */
export class CompactionPolicy {
  private samples: { at: number; revision: number }[] = [];
  private cancel: (() => void) | undefined;
  private running = false;
  readonly intervalMs: number;
  readonly retentionMs: number;
  readonly minRetainRevisions: number;

  constructor(
    private readonly clock: Clock,
    private readonly current: () => { revision: number; compactRevision: number },
    private readonly compact: (revision: number) => Promise<void>,
    opts: CompactionPolicyOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.retentionMs = opts.retentionMs ?? 5 * 60_000;
    this.minRetainRevisions = opts.minRetainRevisions ?? 100;
  }

  start(): void {
    if (this.cancel) return;
    this.samples.push({ at: this.clock.now(), revision: this.current().revision });
    this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** The revision to compact to now, or 0 for none. Exposed for tests. */
  target(now: number): number {
    const { revision, compactRevision } = this.current();
    let old = 0;
    for (const s of this.samples) if (s.at <= now - this.retentionMs) old = Math.max(old, s.revision);
    const target = Math.min(old, revision - this.minRetainRevisions);
    return target > compactRevision ? target : 0;
  }

  private schedule(): void {
    this.cancel = this.clock.setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    this.samples.push({ at: now, revision: this.current().revision });
    const target = this.target(now);
    // Samples older than the retention window are needed only as the newest such one.
    const cut = this.samples.findLastIndex((s) => s.at <= now - this.retentionMs);
    if (cut > 0) this.samples = this.samples.slice(cut);
    if (target > 0 && !this.running) {
      this.running = true;
      try {
        await this.compact(target);
      } catch {
        // Compaction is housekeeping: a failure (store closing, lost leadership) is retried next tick.
      } finally {
        this.running = false;
      }
    }
    if (this.cancel) this.schedule();
  }
}
