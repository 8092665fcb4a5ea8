// The simulator's per-node watch hub: events fan out from the apply loop to every open stream. A stream
// remembers the revision it has covered; after each apply it gets the matching events above that
// (from the state machine's history, so a watch from an old revision catches up the same way), and
// idle streams get progress notifications. A stream opened at a revision the node has not applied yet
// simply waits (no time travel).

import type { WatchBatch } from '../../internal/storage/index.js';
import type { SimStateMachine } from './kv-state-machine.js';

interface Stream {
  prefix: string;
  /** Every matching event with revision <= covered has been sent. */
  covered: number;
  /** Last revision announced by a progress notification or batch. */
  announced: number;
}

export class WatchHub {
  private readonly streams = new Map<number, Stream>();

  constructor(private readonly send: (stream: number, batch: WatchBatch) => void) {}

  open(stream: number, prefix: string, afterRevision: number, sm: SimStateMachine): void {
    this.streams.set(stream, { prefix, covered: afterRevision, announced: afterRevision });
    this.flush(sm);
  }

  cancel(stream: number): void {
    this.streams.delete(stream);
  }

  /** Closes every stream; returns their ids so the caller can tell the clients. */
  closeAll(): number[] {
    const ids = [...this.streams.keys()];
    this.streams.clear();
    return ids;
  }

  /** Sends every stream the events applied since it was last served (one batch, whole revisions). */
  flush(sm: SimStateMachine): void {
    const rev = sm.revision();
    for (const [id, s] of this.streams) {
      if (rev <= s.covered) continue;
      const events = sm.eventsAfter(s.covered).filter((e) => e.kv.key.startsWith(s.prefix));
      s.covered = rev;
      if (events.length === 0) continue;
      s.announced = rev;
      this.send(id, { revision: rev, events });
    }
  }

  /** Progress notification (empty batch) to streams whose covered revision moved without events. */
  notifyProgress(): void {
    for (const [id, s] of this.streams) {
      if (s.covered <= s.announced) continue;
      s.announced = s.covered;
      this.send(id, { revision: s.covered, events: [] });
    }
  }

  /**
   * After the node installed a snapshot (its history was replaced wholesale). Correct behaviour: keep
   * each stream's position and let flush() serve the events from the restored history. The `skip`
   * canary jumps every stream to the snapshot revision instead, dropping the events in between
   * (etcd #15271's shape).
   */
  afterSnapshot(sm: SimStateMachine, skip: boolean): void {
    if (!skip) return;
    for (const s of this.streams.values()) s.covered = Math.max(s.covered, sm.revision());
  }
}
