// One simulated kplane node: the real Raft core, a disk that loses unsynced writes on a crash, the
// apply loop into a KV state machine, linearizable reads via ReadIndex, write group commit, and a watch
// hub. The driver follows the Ready contract: persist (fsync, with simulated latency), then send, then
// apply, then advance. Client writes are answered by the node that received them, when it applies
// the entry carrying them.

import {
  LEADER_LOSS_ATTEMPTS,
  MemoryLogStorage,
  NONE,
  createRaft,
  leaderLossCampaignDelay,
  decodeConfChange,
  type ConfState,
  type Message,
  type RaftCore,
  type Ready,
} from '../../internal/raft/index.js';
import { seededRand, type Rand } from '../../internal/util/index.js';
import { decodeCommand, encodeCommand, type CommandItem } from './command.js';
import type { EventLoop } from './event-loop.js';
import type { KvOutput } from './history.js';
import { createSimStateMachine, type SimStateMachine } from './kv-state-machine.js';
import type { Network } from './network.js';
import { SimDisk } from './sim-disk.js';
import type { Bug, ClientRequest, NodeEnvHooks, NodeParams } from './sim-types.js';
import { WatchHub } from './watch-hub.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface NodeEnv {
  loop: EventLoop;
  net: Network;
  rand: Rand;
  bugs: ReadonlySet<Bug>;
  hooks: NodeEnvHooks;
}

export class SimNode {
  up = false;
  paused = false;
  /** Bumped on every start; timers and replies of an older incarnation are void. */
  private inc = 0;
  raft!: RaftCore;
  sm: SimStateMachine = createSimStateMachine();
  confState: ConfState = { voters: [], learners: [] };
  readonly disk: SimDisk;
  /** Extra fsync latency while a "slow disk" fault is active. */
  slowDiskMs = 0;
  /** Multiplier on tickMs (clock-rate fault). */
  clockRate = 1;
  private busy = false;
  private pumpScheduled = false;
  private proposals: { item: CommandItem; client: number }[] = [];
  private pendingWrites = new Map<string, number>();
  private pendingReads = new Map<string, ClientRequest>();
  private readyReads: { index: number; req: ClientRequest }[] = [];
  private inbox: (() => void)[] = [];
  private hub: WatchHub;
  /** Bumped on every leader loss: an older early-campaign chain stops. */
  private lossGen = 0;
  /** Early campaigns started after a lost leader connection (stats). */
  earlyCampaigns = 0;

  constructor(
    readonly id: number,
    initial: MemoryLogStorage,
    readonly params: NodeParams,
    private readonly env: NodeEnv,
  ) {
    this.disk = new SimDisk(initial);
    this.hub = new WatchHub((stream, batch) => env.hooks.watchBatch(id, stream, batch));
  }

  incarnation(): number {
    return this.inc;
  }

  /** Starts (or restarts) from what is on disk. The state machine is rebuilt from the snapshot + log. */
  start(): void {
    this.inc++;
    this.up = true;
    this.paused = false;
    this.busy = false;
    const snap = this.disk.log.snapshot();
    this.sm = createSimStateMachine(snap.data);
    this.confState = snap.metadata.confState;
    this.raft = createRaft({
      id: this.id,
      storage: this.disk.log,
      electionTick: this.params.electionTick,
      heartbeatTick: this.params.heartbeatTick,
      rand: seededRand(Math.floor(this.env.rand() * 2 ** 32)),
      applied: snap.metadata.index,
    });
    this.scheduleTick();
    this.schedulePump();
  }

  /** Power loss: volatile state and unsynced writes are gone; open watches and requests die. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.disk.crash();
    this.dropVolatile();
  }

  /** Clean stop (after removal from the cluster): like a crash, but everything was synced. */
  stop(): void {
    if (!this.up) return;
    this.up = false;
    this.dropVolatile();
  }

  private dropVolatile(): void {
    this.inc++;
    this.proposals = [];
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.readyReads = [];
    this.inbox = [];
    for (const s of this.hub.closeAll()) this.env.hooks.watchClosed(this.id, s);
  }

  pause(): void {
    if (this.up) this.paused = true;
  }

  resume(): void {
    if (!this.up || !this.paused) return;
    this.paused = false;
    for (const fn of this.inbox.splice(0)) fn();
    this.schedulePump();
  }

  /** Runs fn now, or when the node resumes if it is paused (a stalled process still receives bytes). */
  private input(fn: () => void): void {
    if (!this.up) return;
    if (this.paused) this.inbox.push(fn);
    else {
      fn();
      this.schedulePump();
    }
  }

  receiveRaft(msg: Message): void {
    // The wire copy: the receiver never shares objects with the sender.
    this.input(() => this.raft.step(structuredClone(msg)));
  }

  /**
   * The transport saw its connection to `peer` close (the peer's process died, or a ping timeout
   * gave up on it). The real driver's leader-loss path (internal/raftnode/leader-loss.ts): forget
   * that leader if it is ours and campaign on the ranked early schedule, checking before each
   * attempt that no leader became known meanwhile. `rand` is the jitter source.
   */
  peerLost(peer: number, rand: Rand): void {
    this.input(() => {
      const st = this.raft.status();
      if (st.softState.role !== 'follower' || st.softState.leader !== peer || !this.raft.forgetLeader()) return;
      this.earlyCampaign(peer, 0, ++this.lossGen, rand);
    });
  }

  private earlyCampaign(lost: number, attempt: number, gen: number, rand: Rand): void {
    if (attempt >= LEADER_LOSS_ATTEMPTS) return;
    const hbMs = this.params.tickMs * this.params.heartbeatTick * this.clockRate;
    const delay = leaderLossCampaignDelay(this.raft.status(), lost, hbMs, rand, attempt);
    if (delay === undefined) return;
    const inc = this.inc;
    this.env.loop.after(delay, () => {
      if (inc !== this.inc || gen !== this.lossGen) return;
      this.input(() => {
        const s = this.raft.status().softState;
        if (s.leader !== NONE || s.role === 'leader') return;
        this.earlyCampaigns++;
        this.raft.campaign();
        this.earlyCampaign(lost, attempt + 1, gen, rand);
      });
    });
  }

  receiveClient(req: ClientRequest): void {
    this.input(() => {
      const i = req.input;
      if (i.kind === 'get') return this.read(req);
      const value = i.kind === 'delete' ? undefined : enc.encode(i.value);
      const item: CommandItem =
        i.kind === 'create'
          ? { reqId: req.reqId, op: { op: 'create', key: i.key, value: value!, lease: 0 } }
          : i.kind === 'update'
            ? { reqId: req.reqId, op: { op: 'update', key: i.key, value: value!, expectedModRevision: i.expectedModRevision, lease: 0 } }
            : { reqId: req.reqId, op: { op: 'delete', key: i.key, expectedModRevision: i.expectedModRevision } };
      this.proposals.push({ item, client: req.client });
    });
  }

  openWatch(stream: number, prefix: string, afterRevision: number): void {
    this.input(() => this.hub.open(stream, prefix, afterRevision, this.sm));
  }

  cancelWatch(stream: number): void {
    this.hub.cancel(stream);
  }

  transferLeader(to: number): void {
    this.input(() => this.raft.transferLeader(to));
  }

  proposeConfChange(cc: Parameters<RaftCore['proposeConfChange']>[0]): boolean {
    if (!this.up || this.paused) return false;
    const ok = this.raft.proposeConfChange(cc).ok;
    this.schedulePump();
    return ok;
  }

  isLeader(): boolean {
    return this.up && this.raft.status().softState.role === 'leader';
  }

  private read(req: ClientRequest): void {
    if (this.env.bugs.has('staleRead')) return this.serveRead(req);
    const r = this.raft.readIndex(enc.encode(req.reqId));
    if (!r.ok) return this.env.hooks.reply(this.id, req.client, { reqId: req.reqId, unavailable: true });
    this.pendingReads.set(req.reqId, req);
  }

  private serveRead(req: ClientRequest): void {
    const kv = this.sm.get(req.input.key);
    const output: KvOutput = { kind: 'get', revision: this.sm.revision() };
    if (kv) output.kv = { value: dec.decode(kv.value), modRevision: kv.modRevision };
    this.env.hooks.reply(this.id, req.client, { reqId: req.reqId, output });
  }

  private scheduleTick(): void {
    const inc = this.inc;
    this.env.loop.after(this.params.tickMs * this.clockRate, () => {
      if (inc !== this.inc) return;
      if (!this.paused) {
        this.raft.tick();
        this.hub.notifyProgress();
        this.schedulePump();
      }
      this.scheduleTick();
    });
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    const inc = this.inc;
    this.env.loop.after(0, () => {
      this.pumpScheduled = false;
      if (inc === this.inc) this.pump();
    });
  }

  /** Group commit: every write that arrived since the last Ready goes into one entry. */
  private flushProposals(): void {
    while (this.proposals.length > 0) {
      const batch = this.proposals.splice(0, this.params.maxBatch);
      const r = this.raft.propose(encodeCommand({ origin: this.id, items: batch.map((b) => b.item) }));
      for (const b of batch) {
        if (r.ok) this.pendingWrites.set(b.item.reqId, b.client);
        else this.env.hooks.reply(this.id, b.client, { reqId: b.item.reqId, unavailable: true });
      }
    }
  }

  private pump(): void {
    if (!this.up || this.busy || this.paused) return;
    this.flushProposals();
    if (!this.raft.hasReady()) return;
    const rd = this.raft.ready();
    const wrote = rd.snapshot !== undefined || rd.entries.length > 0 || rd.hardState !== undefined;
    if (wrote) this.disk.write({ snapshot: rd.snapshot, entries: rd.entries, hardState: rd.hardState });
    this.env.hooks.onReady(this.id, rd);
    const inc = this.inc;
    const latency = this.params.fsyncMinMs + this.env.rand() * (this.params.fsyncMaxMs - this.params.fsyncMinMs) + this.slowDiskMs;
    if (this.env.bugs.has('ackBeforeFsync')) {
      // Canary: acknowledge first, fsync later.
      if (wrote) this.env.loop.after(latency, () => inc === this.inc && this.disk.sync(1));
      this.finish(rd);
      return;
    }
    if (!rd.mustSync) {
      this.disk.sync();
      this.finish(rd);
      return;
    }
    this.busy = true;
    this.env.loop.after(latency, () => {
      if (inc !== this.inc) return;
      this.disk.sync();
      this.busy = false;
      this.finish(rd);
    });
  }

  private finish(rd: Ready): void {
    for (const m of rd.messages) this.send(m);
    if (rd.snapshot) this.installSnapshot(rd);
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const req = this.pendingReads.get(dec.decode(rs.context));
      if (!req) continue;
      this.pendingReads.delete(req.reqId);
      this.readyReads.push({ index: rs.index, req });
    }
    this.raft.advance(rd);
    this.serveReadyReads();
    this.hub.flush(this.sm);
    this.maybeSnapshot();
    this.schedulePump();
  }

  private send(m: Message): void {
    const inc = this.inc;
    // Transport feedback, as etcd's raft example gives it: a failed connect marks the peer unreachable,
    // and the outcome of a snapshot send is reported so the leader leaves the 'snapshot' state.
    const onDone =
      m.type === 'snap'
        ? (ok: boolean) => {
            if (inc === this.inc) this.input(() => this.raft.reportSnapshot(m.to, ok));
          }
        : undefined;
    // A forwarded proposal travels over a stream transport (TCP/WebSocket) that never delivers it twice:
    // applying a non-idempotent write twice (an unconditional delete, or a create after a delete) would
    // break linearizability. Found by seed 1009; see FINDINGS.md. Every other Raft message is idempotent.
    const duplicable = m.type !== 'prop' || this.env.bugs.has('duplicateProposals');
    if (!this.env.net.send(this.id, m.to, m, onDone, { duplicable }) && m.type !== 'snap') this.raft.reportUnreachable(m.to);
  }

  private installSnapshot(rd: Ready): void {
    const snap = rd.snapshot!;
    this.sm = createSimStateMachine(snap.data);
    this.confState = snap.metadata.confState;
    this.hub.afterSnapshot(this.sm, this.env.bugs.has('watchSkipAfterSnapshot'));
  }

  private applyEntry(e: Ready['committedEntries'][number]): void {
    this.env.hooks.onApply(this.id, e);
    if (e.type === 'confChange') {
      this.confState = this.raft.applyConfChange(decodeConfChange(e.data));
      this.sm.apply(e.index, []);
      return;
    }
    if (e.data.length === 0) {
      this.sm.apply(e.index, []);
      return;
    }
    const cmd = decodeCommand(e.data);
    const out = this.sm.apply(
      e.index,
      cmd.items.map((it) => it.op),
    );
    if (!out || cmd.origin !== this.id) return;
    cmd.items.forEach((it, i) => {
      const client = this.pendingWrites.get(it.reqId);
      if (client === undefined) return;
      this.pendingWrites.delete(it.reqId);
      const r = out.results[i]!;
      if (!('result' in r)) return;
      this.env.hooks.reply(this.id, client, {
        reqId: it.reqId,
        output: { kind: 'write', succeeded: r.result.succeeded, revision: r.result.revision },
      });
    });
  }

  private serveReadyReads(): void {
    const applied = this.sm.appliedIndex();
    const still: typeof this.readyReads = [];
    for (const r of this.readyReads) {
      if (r.index <= applied) this.serveRead(r.req);
      else still.push(r);
    }
    this.readyReads = still;
  }

  private maybeSnapshot(): void {
    const every = this.params.snapshotEvery;
    if (every <= 0) return;
    const applied = this.sm.appliedIndex();
    if (applied - this.disk.log.snapshot().metadata.index < every) return;
    this.disk.snapshotAndCompact(applied, this.confState, this.sm.snapshotData(), this.params.snapshotKeep);
  }
}
