/**
 * etcd before 3.4.25 and 3.5.8 answers a progress request out of band: the answer (the current
 * revision) can overtake events still queued for a watch on the same stream (etcd PR 15695).
 * Older versions then count as "racy": an answer is handed on only after the answer to one more
 * request came back, by which time etcd has sent what it had queued before the first.
 */
export function progressIsRacy(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return true;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major < 3;
  if (minor < 4) return true;
  if (minor === 4) return patch < 25;
  if (minor === 5) return patch < 8;
  return false;
}

/**
 * One progress request in flight per stream; requests made meanwhile are folded into one more
 * after it. onResponse returns the revision to hand to the watches, or 0 for none yet.
 */
export class ProgressGate {
  private inFlight = false;
  private wanted = false;
  private pending = 0;

  constructor(
    private readonly version: () => string | undefined,
    private readonly send: () => boolean,
  ) {}

  get racy(): boolean {
    return progressIsRacy(this.version());
  }

  request(): void {
    if (this.inFlight) {
      this.wanted = true;
      return;
    }
    this.inFlight = this.send();
  }

  onResponse(revision: number): number {
    this.inFlight = false;
    let out = revision;
    if (this.racy) {
      out = this.pending;
      this.pending = out > 0 ? 0 : revision;
      if (out === 0) this.wanted = true;
    }
    if (this.wanted) {
      this.wanted = false;
      this.request();
    }
    return out;
  }

  /** A new stream: answers to requests on the old one never come. */
  reset(): void {
    this.inFlight = false;
    this.wanted = false;
    this.pending = 0;
  }
}
