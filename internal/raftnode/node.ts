import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  NONE,
  createRaft,
  decodeConfChange,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type RaftCore,
  type Ready,
  type Role,
  type Snapshot,
} from '../raft/index.js';
import { realClock, type Clock, type Rand } from '../util/index.js';
import { decodeEnvelope, encodeEnvelope, peekEnvelope } from './codec.js';
import { RaftNodeError } from './errors.js';
import { SqliteLogStorage } from './log-store.js';
import { ProposalTracker } from './proposals.js';
import { ReadBarriers } from './read-barrier.js';
import { SnapshotFiles, SnapshotReceiver, decodeDescriptor, encodeDescriptor, imageName, sendSnapshot } from './snapshots.js';
import { FrameKind, decodeFrame, encodeFrame, type Transport } from './transport.js';

/**
 * The application state behind the log (raftsqlite: the SQLite state machine plus its watch hub).
 * Called only from the driver's loop, one entry at a time, in log order.
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
}

/** Turns one command into bytes inside a log entry and back. */
export interface CommandCodec<C> {
  encode(c: C): Uint8Array;
  decode(b: Uint8Array): C;
}

export interface RaftNodeLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface RaftNodeOptions<C, R> {
  id: NodeId;
  /** Folder for raft.db and snapshots/. */
  dataDir: string;
  stateMachine: ReplicatedStateMachine<C, R>;
  codec: CommandCodec<C>;
  transport: Transport;
  /**
   * Founding members (id → peer address) when the log is empty: written as the bootstrap
   * configuration. Omitted on a node that joins an existing cluster (it learns everything from the
   * leader) and ignored once the log exists.
   */
  bootstrap?: ReadonlyMap<NodeId, string>;
  clock?: Clock;
  /** Election-timeout jitter. */
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
  logger?: RaftNodeLogger;
}

export interface RaftNodeStatus {
  id: NodeId;
  role: Role;
  leader: NodeId;
  term: number;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  voters: NodeId[];
  learners: NodeId[];
  members: Record<string, string>;
  /** On the leader: each member's replicated index. */
  progress?: Record<string, { match: number; state: string; recentActive: boolean }>;
}

interface ConfPoint {
  index: number;
  confState: ConfState;
  members: Map<NodeId, string>;
}

const noopLogger: RaftNodeLogger = { info() {}, warn() {} };

/**
 * The Raft driver: owns the core and everything around it. One loop ("pump") runs on this thread:
 * inputs (peer messages, ticks, proposals, read barriers) go into the core, then each Ready is
 * handled in the order the core requires: persist (one SQLite transaction, fsynced when the Ready
 * says mustSync) → send → apply committed entries (one state-machine transaction each) → hand out
 * read states → advance. Proposals that arrive while a Ready is being persisted wait in a queue and
 * go into the next entry together (group commit).
 */
export class RaftNode<C, R> {
  readonly id: NodeId;
  private readonly core: RaftCore;
  private readonly storage: SqliteLogStorage;
  private readonly files: SnapshotFiles;
  private readonly receiver: SnapshotReceiver;
  private readonly sm: ReplicatedStateMachine<C, R>;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly log: RaftNodeLogger;
  private readonly cfg: Required<Pick<RaftNodeOptions<C, R>, 'tickMs' | 'electionTicks' | 'snapshotEntries' | 'trailingEntries' | 'proposalTimeoutMs' | 'readTimeoutMs' | 'maxBatchCommands' | 'snapshotChunkBytes'>>;
  private readonly proposals: ProposalTracker<C, R>;
  private readonly reads: ReadBarriers;
  private readonly codec: CommandCodec<C>;
  private members = new Map<NodeId, string>();
  private confState: ConfState;
  /** Configurations applied since the last snapshot, to describe the next one. */
  private confHistory: ConfPoint[] = [];
  private confWaiters: { match: (cc: ConfChange) => boolean; resolve: (cs: ConfState) => void; reject: (e: Error) => void; deadline: number }[] = [];
  private leader: NodeId = NONE;
  private role: Role = 'follower';
  private readonly leaderListeners = new Set<(leader: NodeId, role: Role) => void>();
  private cancelTick: (() => void) | undefined;
  private pumping = false;
  private pumpScheduled = false;
  private stopped = false;
  private failure: Error | undefined;
  private snapshotting: Promise<void> | undefined;
  private readonly sendingSnapshot = new Set<NodeId>();
  /** Counters for status and tests. */
  readonly stats = { readies: 0, entriesApplied: 0, batchesProposed: 0, commandsProposed: 0, snapshotsTaken: 0, snapshotsInstalled: 0, snapshotsSent: 0 };

  constructor(opts: RaftNodeOptions<C, R>) {
    this.id = opts.id;
    this.sm = opts.stateMachine;
    this.codec = opts.codec;
    this.transport = opts.transport;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? noopLogger;
    const rand = opts.rand ?? Math.random;
    this.cfg = {
      tickMs: opts.tickMs ?? 100,
      electionTicks: opts.electionTicks ?? 10,
      snapshotEntries: opts.snapshotEntries ?? 10_000,
      trailingEntries: opts.trailingEntries ?? 5000,
      proposalTimeoutMs: opts.proposalTimeoutMs ?? 5000,
      readTimeoutMs: opts.readTimeoutMs ?? 5000,
      maxBatchCommands: opts.maxBatchCommands ?? 1000,
      snapshotChunkBytes: opts.snapshotChunkBytes ?? 1 << 20,
    };
    this.reads = new ReadBarriers(this.cfg.tickMs * this.cfg.electionTicks);
    // Batch ids must not repeat across restarts: an entry proposed before a crash may commit after.
    this.proposals = new ProposalTracker(Math.floor(rand() * 2 ** 40) * 1024 + 1);

    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.storage = new SqliteLogStorage(join(opts.dataDir, 'raft.db'));
    this.files = new SnapshotFiles(join(opts.dataDir, 'snapshots'));
    if (this.storage.isEmpty() && opts.bootstrap) {
      const voters = [...opts.bootstrap.keys()].sort((a, b) => a - b);
      this.storage.bootstrap({ voters, learners: [] }, encodeDescriptor({ file: null, size: 0, sha256: '', members: [...opts.bootstrap] }));
    }
    const snap = this.storage.snapshot();
    this.confState = snap.metadata.confState;
    this.members = new Map(decodeDescriptor(snap.data).members);
    // The state DB lags the snapshot only if it lost writes (it need not fsync: the log is the
    // record) or a crash came between persisting a received snapshot and installing it.
    if (this.sm.appliedIndex() < snap.metadata.index) this.installImage(snap);
    this.core = createRaft({
      id: this.id,
      storage: this.storage,
      electionTick: this.cfg.electionTicks,
      heartbeatTick: opts.heartbeatTicks ?? 1,
      rand,
      // Entries after the snapshot are handed out again and re-applied: the state machine skips
      // what it already has, and configuration entries rebuild the core's membership.
      applied: snap.metadata.index,
    });
    this.receiver = new SnapshotReceiver(
      this.files,
      (m) => this.input(() => this.core.step(m)),
      (from, err) => this.log.warn('snapshot transfer failed', { from, err: err.message }),
    );
  }

  /** Starts the tick timer and accepts frames from peers. */
  start(): void {
    this.transport.setPeers(this.peerAddresses());
    this.transport.start((from, frame) => this.onFrame(from, frame));
    this.scheduleTick();
    this.schedulePump();
  }

  /** Proposes one command; resolves with its result once the entry carrying it is applied here. */
  propose(cmd: C): Promise<R> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const p = this.proposals.enqueue(cmd, this.clock.now() + this.cfg.proposalTimeoutMs);
    this.schedulePump();
    return p;
  }

  /**
   * Linearizable read barrier (ReadIndex): resolves once this node has applied everything that was
   * committed when the barrier was requested, so a local read after it sees every acknowledged write.
   */
  readBarrier(): Promise<void> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const p = this.reads.add(this.clock.now() + this.cfg.readTimeoutMs);
    this.schedulePump();
    return p;
  }

  /**
   * Proposes a membership change (address = the node's peer address, for additions) and resolves
   * with the new configuration once it is applied here.
   */
  changeMembership(cc: ConfChange, address?: string, timeoutMs = this.cfg.proposalTimeoutMs): Promise<ConfState> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const change: ConfChange = address ? { ...cc, context: Buffer.from(JSON.stringify({ address })) } : cc;
    const r = this.core.proposeConfChange(change);
    if (!r.ok) return Promise.reject(new RaftNodeError(r.reason === 'noLeader' ? 'NoLeader' : 'Dropped', `membership change refused: ${r.reason}`));
    this.schedulePump();
    return new Promise((resolve, reject) =>
      this.confWaiters.push({ match: (x) => x.type === cc.type && x.nodeId === cc.nodeId, resolve, reject, deadline: this.clock.now() + timeoutMs }),
    );
  }

  /** Asks the leader to hand leadership to `to`. */
  transferLeadership(to: NodeId): void {
    this.input(() => this.core.transferLeader(to));
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
    const st = this.core.status();
    const out: RaftNodeStatus = {
      id: this.id,
      role: st.softState.role,
      leader: st.softState.leader,
      term: st.hardState.term,
      commit: st.hardState.commit,
      applied: this.sm.appliedIndex(),
      lastIndex: st.lastIndex,
      snapshotIndex: this.storage.snapshot().metadata.index,
      voters: [...st.config.voters],
      learners: [...st.config.learners],
      members: Object.fromEntries([...this.members].map(([id, a]) => [String(id), a])),
    };
    if (st.progress) {
      out.progress = Object.fromEntries([...st.progress].map(([id, p]) => [String(id), { match: p.match, state: p.state, recentActive: p.recentActive }]));
    }
    return out;
  }

  /**
   * Stops the node. A leader first hands leadership to its most caught-up voter (so the cluster
   * does not wait an election timeout), bounded by one election timeout. Pending proposals and
   * reads fail with Stopped. Idempotent.
   */
  async stop(opts: { transferLeadership?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    if ((opts.transferLeadership ?? true) && this.role === 'leader' && !this.failure) await this.handOver();
    this.stopped = true;
    this.cancelTick?.();
    const err = this.stoppedError();
    this.proposals.failAll(err);
    this.reads.failAll(err);
    for (const w of this.confWaiters.splice(0)) w.reject(err);
    this.receiver.close();
    await this.transport.close();
    await this.snapshotting?.catch(() => undefined);
    this.storage.close();
  }

  private async handOver(): Promise<void> {
    const progress = this.core.status().progress;
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.confState.voters) {
      const p = progress?.get(id);
      if (id === this.id || !p || !p.recentActive) continue;
      if (p.match > bestMatch) [best, bestMatch] = [id, p.match];
    }
    if (best === NONE) return;
    this.log.info('handing leadership over before stopping', { to: best });
    const done = new Promise<void>((resolve) => {
      const cancel = this.clock.setTimeout(finish, this.cfg.tickMs * this.cfg.electionTicks);
      const off = this.onLeaderChange((_, role) => role !== 'leader' && finish());
      function finish() {
        cancel();
        off();
        resolve();
      }
    });
    this.transferLeadership(best);
    await done;
  }

  private stoppedError(): Error {
    return this.failure ?? new RaftNodeError('Stopped', 'raft node is stopped');
  }

  // ---- the loop -----------------------------------------------------------------------------------

  private onFrame(from: NodeId, bytes: Uint8Array): void {
    if (this.stopped) return;
    let f;
    try {
      f = decodeFrame(bytes);
    } catch (err) {
      this.log.warn('dropping a malformed frame', { from, err: (err as Error).message });
      return;
    }
    if (f.kind === FrameKind.Messages) {
      this.input(() => {
        for (const m of f.messages) {
          // A peer speaks only for itself; a snapshot arrives only through the checked stream.
          if (m.from !== from || m.to !== this.id || m.type === 'snap') continue;
          this.core.step(m);
        }
      });
    } else {
      this.receiver.handle(from, f);
    }
  }

  private input(fn: () => void): void {
    if (this.stopped) return;
    fn();
    this.schedulePump();
  }

  private scheduleTick(): void {
    this.cancelTick = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.core.tick();
      const now = this.clock.now();
      this.proposals.expire(now);
      this.reads.expire(now);
      this.confWaiters = this.confWaiters.filter((w) => w.deadline > now || void w.reject(new RaftNodeError('Timeout', 'membership change not applied in time')));
      this.pump();
      this.scheduleTick();
    }, this.cfg.tickMs);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    // setImmediate runs after pending I/O callbacks: requests already on their way join this batch.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      for (;;) {
        this.flushInputs();
        if (!this.core.hasReady()) break;
        this.handleReady(this.core.ready());
      }
    } catch (err) {
      this.fail(err as Error);
      return;
    } finally {
      this.pumping = false;
    }
    this.maybeSnapshot();
  }

  /** A persist or apply failed (disk full, I/O error): the core and the disk may disagree, so stop. */
  private fail(err: Error): void {
    this.log.warn('raft node failed; stopping', { err: err.message });
    this.failure = new RaftNodeError('Stopped', `raft node failed: ${err.message}`);
    void this.stop({ transferLeadership: false });
  }

  private flushInputs(): void {
    this.reads.flush(this.clock.now(), (ctx) => this.core.readIndex(ctx).ok);
    // Without a leader the queue waits (until the proposal deadline) rather than failing at once:
    // an election usually ends well within it.
    if (this.leader === NONE && this.role !== 'leader') return;
    const propose = (batch: number, cmds: C[]): 'ok' | 'requeue' | Error => {
      const data = encodeEnvelope({ origin: this.id, batch, commands: cmds.map((c) => this.codec.encode(c)) });
      const r = this.core.propose(data);
      if (r.ok) {
        this.stats.batchesProposed++;
        this.stats.commandsProposed += cmds.length;
        return 'ok';
      }
      // A transfer ends (or is aborted) within an election timeout; then the new leader takes them.
      if (r.reason === 'leaderTransferInProgress' || r.reason === 'noLeader') return 'requeue';
      return new RaftNodeError('Dropped', `proposal dropped: ${r.reason}`);
    };
    while (this.proposals.takeBatch(this.cfg.maxBatchCommands, propose)) {
      // one entry per maxBatchCommands
    }
  }

  private handleReady(rd: Ready): void {
    this.stats.readies++;
    // 1. Durable before anything leaves this node (votes and append acks promise it).
    this.storage.save({ snapshot: rd.snapshot, entries: rd.entries, hardState: rd.hardState }, rd.mustSync);
    for (const e of rd.entries) {
      if (e.type !== 'normal' || e.data.length === 0) continue;
      const { origin, batch } = peekEnvelope(e.data);
      if (origin === this.id) this.proposals.seen(batch, e);
    }
    if (rd.softState) this.onSoftState(rd.softState.leader, rd.softState.role);
    // 2. Send.
    this.send(rd.messages);
    // 3. Apply.
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) this.applyEntry(e);
    // 4. Read states, then 5. advance.
    for (const rs of rd.readStates) this.reads.readState(rs.context, rs.index);
    this.core.advance(rd);
    this.reads.applied(this.sm.appliedIndex());
  }

  private onSoftState(leader: NodeId, role: Role): void {
    const changed = leader !== this.leader;
    this.leader = leader;
    this.role = role;
    if (changed) this.proposals.leaderChanged();
    for (const fn of this.leaderListeners) fn(leader, role);
  }

  private send(msgs: Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of msgs) {
      if (m.type === 'snap') {
        this.sendSnapshot(m);
        continue;
      }
      let list = byPeer.get(m.to);
      if (!list) byPeer.set(m.to, (list = []));
      list.push(m);
    }
    for (const [to, ms] of byPeer) {
      if (!this.transport.send(to, encodeFrame({ kind: FrameKind.Messages, messages: ms }))) this.core.reportUnreachable(to);
    }
  }

  private sendSnapshot(m: Message): void {
    // One stream per follower; the core re-sends the snap message after its timeout if no report came.
    if (this.sendingSnapshot.has(m.to)) return;
    this.sendingSnapshot.add(m.to);
    const d = decodeDescriptor(m.snapshot!.data);
    this.log.info('sending snapshot', { to: m.to, index: m.snapshot!.metadata.index, bytes: d.size });
    void sendSnapshot(this.files, this.transport, m, d, this.cfg.snapshotChunkBytes).then((ok) => {
      this.sendingSnapshot.delete(m.to);
      if (ok) this.stats.snapshotsSent++;
      this.input(() => this.core.reportSnapshot(m.to, ok));
    });
  }

  private applyEntry(e: Entry): void {
    const applied = this.sm.appliedIndex();
    if (e.type === 'confChange') {
      const cc = decodeConfChange(e.data);
      this.confState = this.core.applyConfChange(cc);
      if (cc.type === 'removeNode') this.members.delete(cc.nodeId);
      else if (cc.context && cc.context.length > 0) this.members.set(cc.nodeId, (JSON.parse(Buffer.from(cc.context).toString('utf8')) as { address: string }).address);
      this.confHistory.push({ index: e.index, confState: this.confState, members: new Map(this.members) });
      this.transport.setPeers(this.peerAddresses());
      if (e.index > applied) this.sm.apply(e.index, e.term, []);
      this.confWaiters = this.confWaiters.filter((w) => !w.match(cc) || void w.resolve(this.confState));
      return;
    }
    if (e.index <= applied) return; // replay after a restart: already in the state
    this.stats.entriesApplied++;
    if (e.data.length === 0) {
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

  private installSnapshot(snap: Snapshot): void {
    this.installImage(snap);
    this.confState = snap.metadata.confState;
    this.members = new Map(decodeDescriptor(snap.data).members);
    this.confHistory = [];
    this.transport.setPeers(this.peerAddresses());
    this.proposals.appliedThrough(snap.metadata.index, true);
    const d = decodeDescriptor(snap.data);
    this.files.prune(new Set(d.file ? [d.file] : []));
    this.stats.snapshotsInstalled++;
    this.log.info('installed snapshot', { index: snap.metadata.index, term: snap.metadata.term });
  }

  private installImage(snap: Snapshot): void {
    const d = decodeDescriptor(snap.data);
    this.sm.installImage(d.file ? this.files.path(d.file) : undefined, snap.metadata.index, snap.metadata.term);
  }

  private peerAddresses(): Map<NodeId, string> {
    const m = new Map(this.members);
    m.delete(this.id);
    return m;
  }

  // ---- snapshots -----------------------------------------------------------------------------------

  private maybeSnapshot(): void {
    if (this.snapshotting || this.stopped) return;
    const applied = this.sm.appliedIndex();
    if (applied - this.storage.snapshot().metadata.index < this.cfg.snapshotEntries) return;
    this.snapshotting = this.takeSnapshot()
      .then(
        () => undefined,
        (err: Error) => this.log.warn('snapshot failed', { err: err.message }),
      )
      .finally(() => (this.snapshotting = undefined));
  }

  /** Snapshot now (also used by tests and `kplane snapshot save`). Resolves with its index. */
  async takeSnapshot(): Promise<number> {
    const temp = this.files.tempPath('backup');
    try {
      const { index, term } = await this.sm.saveImage(temp);
      const prev = this.storage.snapshot();
      if (this.stopped || index <= prev.metadata.index) return prev.metadata.index;
      if (this.storage.term(index) !== term) throw new Error(`snapshot image at ${index} has term ${term}, the log says ${this.storage.term(index)}`);
      const sealed = await this.files.seal(temp, index);
      if (this.stopped) return prev.metadata.index;
      const conf = this.confAt(index);
      const desc = encodeDescriptor({ ...sealed, members: [...conf.members] });
      this.storage.createSnapshot(index, conf.confState, desc);
      this.confHistory = this.confHistory.filter((h) => h.index > index);
      const compactTo = index - this.cfg.trailingEntries;
      if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
      // Keep this image and the previous one (a follower may be downloading it).
      const prevFile = decodeDescriptor(prev.data).file;
      this.files.prune(new Set([imageName(index), ...(prevFile ? [prevFile] : [])]));
      this.stats.snapshotsTaken++;
      this.log.info('took snapshot', { index, term, bytes: sealed.size, firstIndex: this.storage.firstIndex() });
      return index;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  private confAt(index: number): { confState: ConfState; members: Map<NodeId, string> } {
    let found: ConfPoint | undefined;
    for (const h of this.confHistory) if (h.index <= index) found = h;
    if (found) return found;
    const snap = this.storage.snapshot();
    return { confState: snap.metadata.confState, members: new Map(decodeDescriptor(snap.data).members) };
  }
}
