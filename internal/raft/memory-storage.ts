import { assert } from '../util/index.js';
import { LogStorageError, limitSize, type InitialState, type LogStorage } from './storage.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/**
 * In-memory LogStorage for tests and the cluster simulator. Besides the read interface it has the
 * write side a driver needs: append, setHardState, applySnapshot, createSnapshot, compact.
 * Everything stored counts as durable; a simulator that models lost writes keeps its own copy.
 */
export class MemoryLogStorage implements LogStorage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  // The log starts after (offsetIndex, offsetTerm): the compaction point, whose term is still known.
  private offsetIndex: number;
  private offsetTerm: number;
  private ents: Entry[] = [];

  /** Starts empty, or from a snapshot (e.g. the bootstrap configuration at index 0 or 1). */
  constructor(snapshot?: Snapshot) {
    this.snap = snapshot ?? { metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array() };
    this.offsetIndex = this.snap.metadata.index;
    this.offsetTerm = this.snap.metadata.term;
    if (snapshot) this.hardState = { term: snapshot.metadata.term, vote: 0, commit: snapshot.metadata.index };
  }

  /**
   * Bootstrap storage for an initial member: a snapshot at (index 1, term 1) holding the initial
   * configuration. Every initial member starts from the same one. It must be a real snapshot (not
   * index 0) so that a node joining later, which starts from an empty `new MemoryLogStorage()`,
   * learns the initial configuration by receiving it (the log itself never mentions those members).
   */
  static withConfState(confState: ConfState): MemoryLogStorage {
    return new MemoryLogStorage({ metadata: { index: 1, term: 1, confState: copyConf(confState) }, data: new Uint8Array() });
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: copyConf(this.snap.metadata.confState) };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo <= this.offsetIndex) throw new LogStorageError('Compacted', `entries(${lo}) below first index ${this.firstIndex()}`);
    if (hi > this.lastIndex() + 1) throw new LogStorageError('Unavailable', `entries(.., ${hi}) past last index ${this.lastIndex()}`);
    return limitSize(this.ents.slice(lo - this.offsetIndex - 1, hi - this.offsetIndex - 1), maxBytes);
  }

  term(i: number): number {
    if (i < this.offsetIndex) throw new LogStorageError('Compacted', `term(${i}) below ${this.offsetIndex}`);
    if (i > this.lastIndex()) throw new LogStorageError('Unavailable', `term(${i}) past last index ${this.lastIndex()}`);
    if (i === this.offsetIndex) return this.offsetTerm;
    return this.ents[i - this.offsetIndex - 1]!.term;
  }

  firstIndex(): number {
    return this.offsetIndex + 1;
  }

  lastIndex(): number {
    return this.offsetIndex + this.ents.length;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Appends entries, which must be contiguous. An entry at index i replaces stored entries >= i
   * (the Ready contract). Entries at or below the compaction point are ignored.
   */
  append(entries: readonly Entry[]): void {
    let es = entries;
    if (es.length === 0) return;
    const first = this.firstIndex();
    if (es[es.length - 1]!.index < first) return;
    if (es[0]!.index < first) es = es.slice(first - es[0]!.index);
    const at = es[0]!.index;
    assert(at <= this.lastIndex() + 1, `append at ${at} leaves a gap after ${this.lastIndex()}`);
    this.ents.length = at - first;
    for (const e of es) this.ents.push(e);
  }

  /** Replaces the whole log with a received snapshot. Returns false (no change) if it is older. */
  applySnapshot(snap: Snapshot): boolean {
    if (snap.metadata.index <= this.snap.metadata.index) return false;
    this.snap = snap;
    this.offsetIndex = snap.metadata.index;
    this.offsetTerm = snap.metadata.term;
    this.ents = [];
    return true;
  }

  /** Records a snapshot of the applied state at `index` (<= lastIndex). Does not compact. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    assert(index >= this.snap.metadata.index, `snapshot at ${index} older than ${this.snap.metadata.index}`);
    assert(index <= this.lastIndex(), `snapshot at ${index} past last index ${this.lastIndex()}`);
    this.snap = { metadata: { index, term: this.term(index), confState: copyConf(confState) }, data };
    return this.snap;
  }

  /**
   * Discards entries <= index. The index must be covered by the current snapshot, or a follower that
   * needs those entries could never catch up.
   */
  compact(index: number): void {
    if (index <= this.offsetIndex) return;
    assert(index <= this.snap.metadata.index, `compact(${index}) beyond snapshot ${this.snap.metadata.index}`);
    const term = this.term(index);
    this.ents = this.ents.slice(index - this.offsetIndex);
    this.offsetIndex = index;
    this.offsetTerm = term;
  }
}

function copyConf(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
