import { assert } from '../util/index.js';
import { isLogStorageError, limitSize, type LogStorage } from './storage.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/**
 * The log as the core sees it: durable entries in LogStorage followed by the Unstable tail.
 * Invariant: applied <= applying <= committed <= lastIndex().
 */
export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  /** Highest index handed out in a Ready's committedEntries. */
  applying: number;
  /** Highest index the driver acknowledged as applied (advance). */
  applied: number;

  constructor(
    readonly storage: LogStorage,
    private readonly maxApplyingBytes: number,
  ) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Last index known durable (not in the unstable tail). */
  lastStableIndex(): number {
    return Math.min(this.lastIndex(), this.unstable.offset - 1);
  }

  /** Term of entry i, or undefined if i is compacted away or beyond the log. */
  term(i: number): number | undefined {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (isLogStorageError(err, 'Compacted') || isLogStorageError(err, 'Unavailable')) return undefined;
      throw err;
    }
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    assert(t !== undefined, 'raft: term of last index unknown');
    return t;
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** Candidate with last entry (index, term) is at least as up to date as us (§5.4.1). */
  isUpToDate(index: number, term: number): boolean {
    const lt = this.lastTerm();
    return term > lt || (term === lt && index >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries: if (index, logTerm) matches, appends what is new, truncating a
   * conflicting suffix, and commits up to min(commit, last new index). Returns the last new index.
   */
  maybeAppend(index: number, logTerm: number, commit: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      assert(ci > this.committed, `raft: entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      this.append(ents.slice(ci - index - 1));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** Index of the first entry of ents not already in the log with the same term; 0 if none. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The last index <= index whose term is <= term (or the compaction point). A leader uses it to skip
   * a whole conflicting term per round trip instead of one entry at a time.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; ; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    assert(ents[0]!.index - 1 >= this.committed, `raft: append at ${ents[0]!.index} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  commitTo(i: number): void {
    if (i <= this.committed) return;
    assert(i <= this.lastIndex(), `raft: commit ${i} past last index ${this.lastIndex()}`);
    this.committed = i;
  }

  /** Leader: commit maxIndex if it is an entry of the current term (§5.4.2, Figure 8). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Entries [lo, hi) from storage and the unstable tail, limited to maxBytes (at least one). */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    assert(lo >= this.firstIndex() && hi <= this.lastIndex() + 1, `raft: slice [${lo}, ${hi}) out of range`);
    if (lo >= hi) return [];
    let out: Entry[] = [];
    const off = this.unstable.offset;
    if (lo < off) {
      out = this.storage.entries(lo, Math.min(hi, off), maxBytes);
      // Storage stopped early because of maxBytes: don't continue into the unstable tail.
      if (out.length < Math.min(hi, off) - lo) return out;
    }
    if (hi > off) out = out.concat(this.unstable.slice(Math.max(lo, off), hi));
    return limitSize(out, maxBytes);
  }

  /** Entries from index i to the end, or undefined if i is compacted away. */
  entriesFrom(i: number, maxBytes: number): Entry[] | undefined {
    if (i > this.lastIndex()) return [];
    if (i < this.firstIndex()) return undefined;
    try {
      return this.slice(i, this.lastIndex() + 1, maxBytes);
    } catch (err) {
      if (isLogStorageError(err, 'Compacted')) return undefined;
      throw err;
    }
  }

  hasNextCommittedEnts(): boolean {
    if (this.unstable.snapshot) return false; // the snapshot must be applied first
    return this.committed > this.applying;
  }

  nextCommittedEnts(): Entry[] {
    if (!this.hasNextCommittedEnts()) return [];
    return this.slice(this.applying + 1, this.committed + 1, this.maxApplyingBytes);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  appliedTo(i: number): void {
    assert(i <= this.committed, `raft: applied ${i} past committed ${this.committed}`);
    this.applied = Math.max(this.applied, i);
    this.applying = Math.max(this.applying, i);
  }
}
