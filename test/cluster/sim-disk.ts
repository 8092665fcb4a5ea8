// A node's disk: the Raft log and HardState as two MemoryLogStorage copies. `log` is what the node has
// written (the OS page cache view, which the Raft core reads); `durable` is what has been fsynced. A
// crash throws away everything not yet fsynced: the node restarts from a copy of `durable`.

import { MemoryLogStorage, type ConfState, type Entry, type HardState, type Snapshot } from '../../internal/raft/index.js';

/** The persistence part of one Ready. */
export interface WriteBatch {
  snapshot?: Snapshot;
  entries: Entry[];
  hardState?: HardState;
}

function applyBatch(s: MemoryLogStorage, b: WriteBatch): void {
  if (b.snapshot) s.applySnapshot(b.snapshot);
  s.append(b.entries);
  if (b.hardState) s.setHardState(b.hardState);
}

/** An exact copy, including entries kept below the snapshot point for slow followers. */
export function cloneStorage(s: MemoryLogStorage): MemoryLogStorage {
  const snap = s.snapshot();
  const offset = s.firstIndex() - 1;
  // Start at the compaction point, then record the real snapshot (createSnapshot does not compact).
  const c = new MemoryLogStorage({ metadata: { index: offset, term: s.term(offset), confState: snap.metadata.confState }, data: snap.data });
  if (s.lastIndex() > offset) c.append(s.entries(offset + 1, s.lastIndex() + 1));
  if (snap.metadata.index > offset) c.createSnapshot(snap.metadata.index, snap.metadata.confState, snap.data);
  c.setHardState(s.initialState().hardState);
  return c;
}

export class SimDisk {
  log: MemoryLogStorage;
  private durable: MemoryLogStorage;
  private unsynced: WriteBatch[] = [];
  fsyncs = 0;

  constructor(initial: MemoryLogStorage) {
    this.durable = initial;
    this.log = cloneStorage(initial);
  }

  /** Writes without syncing: visible to the core at once, lost on a crash until sync() covers it. */
  write(b: WriteBatch): void {
    applyBatch(this.log, b);
    this.unsynced.push(b);
  }

  /** Makes the oldest `n` unsynced batches durable (an fsync completing). */
  sync(n = this.unsynced.length): void {
    this.fsyncs++;
    for (const b of this.unsynced.splice(0, n)) applyBatch(this.durable, b);
  }

  hasUnsynced(): boolean {
    return this.unsynced.length > 0;
  }

  /**
   * Records a state-machine snapshot at `index` and drops log entries up to index - keep. Written as one
   * durable step (snapshot file + fsync, then log truncation), to both views. Skipped where the durable
   * log does not reach `index` yet.
   */
  snapshotAndCompact(index: number, confState: ConfState, data: Uint8Array, keep: number): boolean {
    if (index > this.durable.lastIndex() || index <= this.durable.snapshot().metadata.index) return false;
    for (const s of [this.durable, this.log]) {
      if (index < s.snapshot().metadata.index || index > s.lastIndex()) continue;
      s.createSnapshot(index, confState, data);
      s.compact(Math.max(s.firstIndex() - 1, index - keep));
    }
    return true;
  }

  /** Power loss: unsynced writes are gone. Returns the storage to restart from. */
  crash(): MemoryLogStorage {
    this.unsynced = [];
    this.log = cloneStorage(this.durable);
    return this.log;
  }
}
