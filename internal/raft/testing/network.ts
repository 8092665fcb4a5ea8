// A synchronous in-test network of RaftCores over MemoryLogStorage. Not the cluster simulator
// (test/cluster): no time, no reordering; messages are delivered FIFO when the test says so.
import type { Config } from '../config.js';
import { decodeConfChange } from '../conf-change.js';
import type { RaftCore } from '../core.js';
import { MemoryLogStorage } from '../memory-storage.js';
import { createRaft } from '../raw-node.js';
import type { ConfState, Entry, Message, MessageType, NodeId, ReadState } from '../types.js';

export interface TestNode {
  id: NodeId;
  core: RaftCore;
  storage: MemoryLogStorage;
  /** Data of applied normal entries (non-empty ones), decoded as UTF-8. */
  applied: string[];
  appliedEntries: Entry[];
  readStates: ReadState[];
  confState: ConfState;
}

export type NodeOptions = Partial<Omit<Config, 'id' | 'storage'>>;

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  /** Messages queued for delivery (already released by their sender's Ready). */
  queue: Message[] = [];
  private cuts = new Set<string>();
  private dropTypes = new Set<MessageType>();
  snapshotsInstalled: { id: NodeId; index: number }[] = [];
  /** Every message delivered, for assertions. */
  delivered: Message[] = [];

  constructor(
    ids: NodeId[],
    private readonly opts: NodeOptions = {},
    learners: NodeId[] = [],
  ) {
    for (const id of ids) this.add(id, MemoryLogStorage.withConfState({ voters: ids, learners }));
    for (const id of learners) this.add(id, MemoryLogStorage.withConfState({ voters: ids, learners }));
  }

  /** Adds (or restarts) a node over the given storage. */
  add(id: NodeId, storage: MemoryLogStorage, extra: NodeOptions = {}): TestNode {
    const cfg: Config = {
      id,
      storage,
      electionTick: 10,
      heartbeatTick: 1,
      // Distinct, fixed timeouts per node keep scenarios deterministic.
      rand: () => 0,
      ...this.opts,
      ...extra,
    };
    const node: TestNode = {
      id,
      core: createRaft(cfg),
      storage,
      applied: [],
      appliedEntries: [],
      readStates: [],
      confState: storage.initialState().confState,
    };
    this.nodes.set(id, node);
    return node;
  }

  /** Simulates a crash and restart: the node keeps only what its storage holds. */
  restart(id: NodeId, extra: NodeOptions = {}): TestNode {
    const old = this.node(id);
    const n = this.add(id, old.storage, extra);
    return n;
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  core(id: NodeId): RaftCore {
    return this.node(id).core;
  }

  /** Handles every node's Ready once (persist, queue messages, apply, advance). Returns true if any. */
  processReady(): boolean {
    let any = false;
    for (const n of this.nodes.values()) {
      while (n.core.hasReady()) {
        any = true;
        const rd = n.core.ready();
        if (rd.snapshot) {
          n.storage.applySnapshot(rd.snapshot);
          n.confState = rd.snapshot.metadata.confState;
          // The test state machine is the list of applied strings (see snapshotAndCompact).
          n.applied = rd.snapshot.data.length > 0 ? (JSON.parse(dec(rd.snapshot.data)) as string[]) : [];
          this.snapshotsInstalled.push({ id: n.id, index: rd.snapshot.metadata.index });
        }
        n.storage.append(rd.entries);
        if (rd.hardState) n.storage.setHardState(rd.hardState);
        this.queue.push(...rd.messages);
        for (const e of rd.committedEntries) {
          n.appliedEntries.push(e);
          if (e.type === 'confChange') n.confState = n.core.applyConfChange(decodeConfChange(e.data));
          else if (e.data.length > 0) n.applied.push(dec(e.data));
        }
        n.readStates.push(...rd.readStates);
        n.core.advance(rd);
      }
    }
    return any;
  }

  /** Delivers the currently queued messages (not ones they cause). Returns how many were delivered. */
  deliver(filter?: (m: Message) => boolean): number {
    const msgs = this.queue;
    this.queue = [];
    let n = 0;
    for (const m of msgs) {
      if (filter && !filter(m)) {
        this.queue.push(m);
        continue;
      }
      if (this.isDropped(m)) continue;
      const to = this.nodes.get(m.to);
      if (!to) continue;
      this.delivered.push(m);
      to.core.step(m);
      n++;
    }
    return n;
  }

  /** Runs Ready processing and delivery until nothing moves. */
  stabilize(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds; i++) {
      const a = this.processReady();
      const b = this.deliver() > 0;
      if (!a && !b && this.queue.length === 0) return;
    }
    throw new Error('network did not stabilize');
  }

  /** Snapshots node `id` at its applied index and compacts its log up to there. */
  snapshotAndCompact(id: NodeId): number {
    const n = this.node(id);
    const index = n.core.status().applied;
    n.storage.createSnapshot(index, n.confState, enc(JSON.stringify(n.applied)));
    n.storage.compact(index);
    return index;
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.core(id).tick();
  }

  /** Ticks every node n times, stabilizing after each tick. */
  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) node.core.tick();
      this.stabilize();
    }
  }

  campaign(id: NodeId): void {
    this.core(id).campaign();
    this.stabilize();
  }

  propose(id: NodeId, data: string): ReturnType<RaftCore['propose']> {
    const res = this.core(id).propose(enc(data));
    this.stabilize();
    return res;
  }

  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}-${b}`);
    this.cuts.add(`${b}-${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  heal(): void {
    this.cuts.clear();
    this.dropTypes.clear();
  }

  ignore(t: MessageType): void {
    this.dropTypes.add(t);
  }

  private isDropped(m: Message): boolean {
    return this.cuts.has(`${m.from}-${m.to}`) || this.dropTypes.has(m.type);
  }

  leader(): NodeId | undefined {
    for (const n of this.nodes.values()) if (n.core.status().softState.role === 'leader') return n.id;
    return undefined;
  }
}

/**
 * Storage with a configuration at index 0 and an empty log, for single-core tests that build
 * exact logs. (Clusters use MemoryLogStorage.withConfState, whose bootstrap snapshot is at index 1.)
 */
export function storageAtZero(voters: NodeId[], learners: NodeId[] = []): MemoryLogStorage {
  return new MemoryLogStorage({ metadata: { index: 0, term: 0, confState: { voters, learners } }, data: new Uint8Array() });
}
