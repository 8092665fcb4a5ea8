import { NONE, type ConfChange, type ConfState, type Entry, type NodeId, type Role } from '../raft/index.js';
import { realClock, type Clock, type Rand } from '../util/index.js';
import { decodeEnvelope, encodeEnvelope } from './codec.js';
import { RaftEngine, type EngineHost, type EngineLink, type EngineStatus, type RaftNodeLogger, type RolesOptions } from './engine.js';
import { RaftNodeError, isRaftNodeError } from './errors.js';
import { ProposalTracker } from './proposals.js';
import { ReadBarriers } from './read-barrier.js';
import type { Transport } from './transport.js';
import { WorkerEngine, type WorkerEngineOptions } from './worker-engine.js';

export type { RaftNodeLogger } from './engine.js';
export type RaftNodeStatus = EngineStatus;

/**
 * The application state behind the log (raftsqlite: the SQLite state machine plus its watch hub).
 * Called only from RaftNode, one entry at a time, in log order, on the thread that created it.
 */
export interface ReplicatedStateMachine<C, R> {
  /** Index of the last applied entry, as stored durably with the state. */
  appliedIndex(): number;
  /**
   * Applies committed entry `index` in one transaction that also stores index and term. `commands`
   * is empty for a no-op or configuration entry (only the applied index moves). Results in order.
   */
  apply(index: number, term: number, commands: C[]): R[];
  /** Writes a consistent image of the applied state to `path`; returns the applied index and term it holds. */
  saveImage(path: string): Promise<{ index: number; term: number }>;
  /** Replaces the whole state with the image at `path` (undefined = the empty state) as of index/term. */
  installImage(path: string | undefined, index: number, term: number): void;
  /**
   * Optional: runs `fn`, which applies several committed entries in order, as one unit (one
   * transaction around the per-entry ones), so their shared pages are written once. If the unit
   * fails the node stops, as for a failed apply; the log still holds the entries.
   */
  applyMany?(fn: () => void): void;
}

/** Turns one command into bytes inside a log entry and back. */
export interface CommandCodec<C> {
  encode(c: C): Uint8Array;
  decode(b: Uint8Array): C;
}

export interface RaftNodeOptions<C, R> {
  id: NodeId;
  /** Folder for raft.db and snapshots/. */
  dataDir: string;
  stateMachine: ReplicatedStateMachine<C, R>;
  codec: CommandCodec<C>;
  /** The transport, when the engine runs on this thread. Exactly one of transport and worker. */
  transport?: Transport;
  /**
   * Run the engine (core, raft.db, peer transport, timers) on a worker thread with its own peer
   * listener, so long queries on this thread never delay heartbeats.
   */
  worker?: WorkerEngineOptions;
  /**
   * Founding members (id → peer address) when the log is empty: written as the bootstrap
   * configuration. Omitted on a node that joins an existing cluster (it learns everything from the
   * leader) and ignored once the log exists.
   */
  bootstrap?: ReadonlyMap<NodeId, string>;
  /** This node's failure domain (recorded with the bootstrap configuration). */
  domain?: string;
  /** Addresses to dial until the configuration names them (a node that just joined). */
  peers?: ReadonlyMap<NodeId, string>;
  clock?: Clock;
  /** Election-timeout jitter (and the start of batch ids). */
  rand?: Rand;
  /** Milliseconds per logical tick. Default 100 (= heartbeat interval with heartbeatTicks 1). */
  tickMs?: number;
  /** Default 10 (election timeout 1–2 s at 100 ms ticks, etcd's defaults). */
  electionTicks?: number;
  heartbeatTicks?: number;
  /** Take a snapshot after this many applied entries since the last. Default 10000. */
  snapshotEntries?: number;
  /** Entries kept in the log below a snapshot, for followers slightly behind. Default 5000. */
  trailingEntries?: number;
  /** A write not applied within this time fails with Timeout (its outcome unknown). Default 5000. */
  proposalTimeoutMs?: number;
  /** A read barrier fails after this. Default 5000. */
  readTimeoutMs?: number;
  /** Most commands in one entry. Default 1000. */
  maxBatchCommands?: number;
  snapshotChunkBytes?: number;
  /** Automatic roles (voters/standbys, promotion when a voter is lost), run by the leader. Off when unset. */
  roles?: RolesOptions;
  logger?: RaftNodeLogger;
}

type ConfWaiter = { match: (cc: ConfChange) => boolean; resolve: (cs: ConfState) => void; reject: (e: Error) => void; deadline: number };

/**
 * The Raft driver as the application sees it: proposals with results, read barriers, membership
 * changes, leader events. It owns the state machine and applies committed entries to it (one
 * transaction per entry) on this thread; the engine (RaftEngine: core, durable log, transport,
 * timers) runs here or on a worker thread. Commands proposed while the engine persists the previous
 * Ready wait in a queue and go into the next entry together (group commit); the entry's envelope
 * names this node and a batch id, so results return to the callers when this node applies it.
 */
export class RaftNode<C, R> implements EngineHost {
  readonly id: NodeId;
  private readonly engine: EngineLink;
  private readonly sm: ReplicatedStateMachine<C, R>;
  private readonly codec: CommandCodec<C>;
  private readonly clock: Clock;
  private readonly proposals: ProposalTracker<C, R>;
  private readonly reads: ReadBarriers;
  private readonly tickMs: number;
  private readonly proposalTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly maxBatch: number;
  private confWaiters: ConfWaiter[] = [];
  private leader: NodeId = NONE;
  /** The last leader known (never NONE once one was): the batches in flight went to it. */
  private lastLeader: NodeId = NONE;
  private role: Role = 'follower';
  private readonly leaderListeners = new Set<(leader: NodeId, role: Role) => void>();
  private cancelTimer: (() => void) | undefined;
  private timerArmed = false;
  private flushScheduled = false;
  private started = false;
  private stopped = false;
  private failure: Error | undefined;
  private readonly counters = { entriesApplied: 0, batchesProposed: 0, commandsProposed: 0 };

  constructor(opts: RaftNodeOptions<C, R>) {
    this.id = opts.id;
    this.sm = opts.stateMachine;
    this.codec = opts.codec;
    this.clock = opts.clock ?? realClock;
    const rand = opts.rand ?? Math.random;
    this.tickMs = opts.tickMs ?? 100;
    this.proposalTimeoutMs = opts.proposalTimeoutMs ?? 5000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 5000;
    this.maxBatch = opts.maxBatchCommands ?? 1000;
    this.reads = new ReadBarriers(this.tickMs * (opts.electionTicks ?? 10));
    // Batch ids must not repeat across restarts: an entry proposed before a crash may commit after.
    this.proposals = new ProposalTracker(Math.floor(rand() * 2 ** 40) * 1024 + 1);
    const engineOpts = {
      id: opts.id,
      dataDir: opts.dataDir,
      bootstrap: opts.bootstrap,
      domain: opts.domain,
      peers: opts.peers,
      tickMs: opts.tickMs,
      electionTicks: opts.electionTicks,
      heartbeatTicks: opts.heartbeatTicks,
      snapshotEntries: opts.snapshotEntries,
      trailingEntries: opts.trailingEntries,
      snapshotChunkBytes: opts.snapshotChunkBytes,
      roles: opts.roles,
      logger: opts.logger,
    };
    if (opts.worker) {
      this.engine = new WorkerEngine(engineOpts, opts.worker, this);
    } else {
      if (!opts.transport) throw new Error('RaftNode: a transport or worker options are required');
      this.engine = new RaftEngine({ ...engineOpts, transport: opts.transport, clock: this.clock, rand }, this);
    }
  }

  /** Starts the engine (ticks, transport) and this side's deadline timer. */
  start(): void {
    this.started = true;
    this.engine.start();
    this.armTimer();
    this.scheduleFlush();
  }

  /** Proposes one command; resolves with its result once the entry carrying it is applied here. */
  propose(cmd: C): Promise<R> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const p = this.proposals.enqueue(cmd, this.clock.now() + this.proposalTimeoutMs);
    this.scheduleFlush();
    this.armTimer();
    return p;
  }

  /**
   * Linearizable read barrier (ReadIndex): resolves once this node has applied everything that was
   * committed when the barrier was requested, so a local read after it sees every acknowledged write.
   */
  readBarrier(): Promise<void> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const p = this.reads.add(this.clock.now() + this.readTimeoutMs);
    this.scheduleFlush();
    this.armTimer();
    return p;
  }

  /**
   * Proposes a membership change (address = the node's peer address and domain = its failure
   * domain, for additions) and resolves with the new configuration once it is applied here.
   */
  changeMembership(cc: ConfChange, address?: string, timeoutMs = this.proposalTimeoutMs, domain?: string): Promise<ConfState> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const change: ConfChange = address || domain ? { ...cc, context: Buffer.from(JSON.stringify({ address, domain })) } : cc;
    const r = this.engine.proposeConfChange(change);
    if (!r.ok) return Promise.reject(new RaftNodeError(r.reason === 'noLeader' ? 'NoLeader' : 'Dropped', `membership change refused: ${r.reason}`));
    const done = new Promise<ConfState>((resolve, reject) =>
      this.confWaiters.push({ match: (x) => x.type === cc.type && x.nodeId === cc.nodeId, resolve, reject, deadline: this.clock.now() + timeoutMs }),
    );
    this.armTimer();
    return done;
  }

  /** Asks the leader to hand leadership to `to`. */
  transferLeadership(to: NodeId): void {
    this.engine.transferLeadership(to);
  }

  /** Snapshot now (e.g. before a backup). Resolves with the snapshot index. */
  takeSnapshot(): Promise<number> {
    return this.engine.takeSnapshot();
  }

  /** Calls fn on every leader or role change of this node (fn(leader, role)). Returns an unsubscribe. */
  onLeaderChange(fn: (leader: NodeId, role: Role) => void): () => void {
    this.leaderListeners.add(fn);
    return () => this.leaderListeners.delete(fn);
  }

  isLeader(): boolean {
    return this.role === 'leader';
  }

  get leaderId(): NodeId {
    return this.leader;
  }

  /** Resolves when some leader is known (or rejects after timeoutMs). */
  waitForLeader(timeoutMs = 10_000): Promise<NodeId> {
    if (this.leader !== NONE) return Promise.resolve(this.leader);
    return new Promise((resolve, reject) => {
      const cancel = this.clock.setTimeout(() => {
        off();
        reject(new RaftNodeError('NoLeader', `no leader within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onLeaderChange((leader) => {
        if (leader === NONE) return;
        cancel();
        off();
        resolve(leader);
      });
    });
  }

  status(): RaftNodeStatus {
    return this.engine.status();
  }

  get stats() {
    return { ...this.engine.stats, ...this.counters };
  }

  /**
   * Stops the node; a leader hands leadership over first (unless transferLeadership is false).
   * Pending proposals and reads fail with Stopped. Idempotent.
   */
  async stop(opts: { transferLeadership?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    await this.engine.stop((opts.transferLeadership ?? true) && !this.failure);
    this.stopped = true;
    this.cancelTimer?.();
    const err = this.stoppedError();
    this.proposals.failAll(err);
    this.reads.failAll(err);
    for (const w of this.confWaiters.splice(0)) w.reject(err);
  }

  private stoppedError(): Error {
    return this.failure ?? new RaftNodeError('Stopped', 'raft node is stopped');
  }

  // ---- EngineHost: called by the engine, in log order -----------------------------------------------

  appliedIndex(): number {
    return this.sm.appliedIndex();
  }

  committed(entries: Entry[]): void {
    const applyAll = () => {
      for (const e of entries) this.applyEntry(e);
    };
    if (entries.length > 1 && this.sm.applyMany) this.sm.applyMany(applyAll);
    else applyAll();
    this.reads.applied(this.sm.appliedIndex());
  }

  installImage(path: string | undefined, index: number, term: number): void {
    this.sm.installImage(path, index, term);
    this.proposals.appliedThrough(index, true);
    this.reads.applied(this.sm.appliedIndex());
  }

  seen(batch: number, index: number, term: number): void {
    this.proposals.seen(batch, index, term);
  }

  readState(ctx: Uint8Array, index: number): void {
    this.reads.readState(ctx, index);
    this.reads.applied(this.sm.appliedIndex());
  }

  softState(leader: NodeId, role: Role): void {
    this.leader = leader;
    this.role = role;
    // Only another leader can have lost the batches forwarded to the last one. A follower that
    // merely forgot its leader (a connection the leader closed while this process was paused, a
    // pre-vote) and follows it again in the same term still gets them in its log; failing them then
    // would turn writes that are about to be applied into "may or may not have been applied".
    if (leader !== NONE && leader !== this.lastLeader) {
      this.lastLeader = leader;
      this.proposals.leaderChanged();
    }
    for (const fn of this.leaderListeners) fn(leader, role);
    if (leader !== NONE) this.scheduleFlush();
  }

  confApplied(cc: ConfChange, conf: ConfState): void {
    this.confWaiters = this.confWaiters.filter((w) => !w.match(cc) || void w.resolve(conf));
  }

  saveImage(path: string): Promise<{ index: number; term: number }> {
    return this.sm.saveImage(path);
  }

  failed(err: Error): void {
    this.failure = new RaftNodeError('Stopped', `raft node failed: ${err.message}`);
    void this.stop({ transferLeadership: false });
  }

  /**
   * A worker engine refused a batch after the fact. NoLeader: its core had no leader when the batch
   * arrived (this thread's view of the leader lags the worker's by a message), so the batch was never
   * proposed or sent: it is safe to queue again, and it waits for the next leader like any write.
   */
  proposalFailed(batch: number, err: Error): void {
    if (isRaftNodeError(err, 'NoLeader')) this.proposals.requeue(batch);
    else this.proposals.failBatch(batch, err);
  }

  // ---- this side's loop -------------------------------------------------------------------------------

  private applyEntry(e: Entry): void {
    if (e.index <= this.sm.appliedIndex()) return; // replay after a restart: already in the state
    this.counters.entriesApplied++;
    if (e.type === 'confChange' || e.data.length === 0) {
      this.sm.apply(e.index, e.term, []);
    } else {
      const env = decodeEnvelope(e.data);
      const results = this.sm.apply(
        e.index,
        e.term,
        env.commands.map((c) => this.codec.decode(c)),
      );
      if (env.origin === this.id) this.proposals.complete(env.batch, results);
    }
    this.proposals.appliedThrough(e.index);
  }

  /**
   * The deadline tick (expiries, read retries, proposals waiting for a leader) runs only while
   * something waits: an idle node's main thread is not woken 10 times a second for nothing.
   */
  private armTimer(): void {
    if (this.timerArmed || this.stopped || !this.started) return;
    this.timerArmed = true;
    this.cancelTimer = this.clock.setTimeout(() => {
      this.timerArmed = false;
      if (this.stopped) return;
      const now = this.clock.now();
      this.proposals.expire(now);
      this.reads.expire(now);
      this.confWaiters = this.confWaiters.filter((w) => w.deadline > now || void w.reject(new RaftNodeError('Timeout', 'membership change not applied in time')));
      this.flush();
      if (!this.proposals.idle || this.reads.waiting || this.confWaiters.length > 0) this.armTimer();
    }, this.tickMs);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.stopped || !this.started) return;
    this.flushScheduled = true;
    // setImmediate runs after pending I/O callbacks: requests already on their way join this batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.stopped) return;
    this.reads.flush(this.clock.now(), (ctx) => this.engine.readIndex(ctx));
    // Without a leader the queue waits (until the proposal deadline) rather than failing at once:
    // an election usually ends well within it.
    if (this.leader === NONE && this.role !== 'leader') return;
    const propose = (batch: number, cmds: C[]): 'ok' | 'requeue' | Error => {
      const data = encodeEnvelope({ origin: this.id, batch, commands: cmds.map((c) => this.codec.encode(c)) });
      const r = this.engine.propose(batch, data);
      if (r === 'ok') {
        this.counters.batchesProposed++;
        this.counters.commandsProposed += cmds.length;
      }
      return r;
    };
    while (this.proposals.takeBatch(this.maxBatch, propose)) {
      // one entry per maxBatch commands
    }
  }
}
