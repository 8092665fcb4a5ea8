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
  type ProposeResult,
  type RaftCore,
  type Ready,
  type Role,
  type Snapshot,
} from '../raft/index.js';
import { realClock, type Clock, type Rand } from '../util/index.js';
import { peekEnvelope } from './codec.js';
import { RaftNodeError } from './errors.js';
import { SqliteLogStorage } from './log-store.js';
import { nextRoleChange, type ClusterView } from './roles.js';
import { SnapshotFiles, SnapshotReceiver, decodeDescriptor, encodeDescriptor, imageName, sendSnapshot } from './snapshots.js';
import { FrameKind, decodeFrame, encodeFrame, type Transport } from './transport.js';

export interface RaftNodeLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

const noopLogger: RaftNodeLogger = { info() {}, warn() {} };

/**
 * What the engine needs from the side that owns the state machine (RaftNode, possibly on another
 * thread). Calls arrive in log order; committed() hands over every committed entry, including
 * configuration entries and no-ops, which only move the applied index.
 */
export interface EngineHost {
  /** The state machine's durable applied index (snapshot trigger, startup check). */
  appliedIndex(): number;
  committed(entries: Entry[]): void;
  /** Replace the state with an image (undefined = empty) as of index/term; comes before later committed(). */
  installImage(path: string | undefined, index: number, term: number): void;
  /** This node's proposal `batch` sits at (index, term) in the local log. */
  seen(batch: number, index: number, term: number): void;
  readState(ctx: Uint8Array, index: number): void;
  softState(leader: NodeId, role: Role): void;
  confApplied(cc: ConfChange, conf: ConfState): void;
  saveImage(path: string): Promise<{ index: number; term: number }>;
  /** The engine stopped itself after a persist or apply failure. */
  failed(err: Error): void;
}

/** The engine's inputs, as RaftNode uses them (RaftEngine in-thread, WorkerEngine across threads). */
export interface EngineLink {
  start(): void;
  /** 'requeue': not now (no leader, transfer in progress); an Error: refused for good. */
  propose(batch: number, data: Uint8Array): 'ok' | 'requeue' | Error;
  /** false when there is no leader to ask. */
  readIndex(ctx: Uint8Array): boolean;
  proposeConfChange(cc: ConfChange): ProposeResult;
  transferLeadership(to: NodeId): void;
  status(): EngineStatus;
  takeSnapshot(): Promise<number>;
  stop(transferLeadership: boolean): Promise<void>;
  readonly stats: EngineStats;
}

export interface EngineStats {
  readies: number;
  /** Ticks so far, and the worst delay of a tick past its due time (ms): a busy thread shows here. */
  ticks: number;
  tickLateMaxMs: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  snapshotsSent: number;
}

export interface EngineStatus {
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
  domains: Record<string, string>;
  /** On the leader: each member's replicated index and ms since it was last heard from. */
  progress?: Record<string, { match: number; state: string; recentActive: boolean; lastHeardMsAgo?: number }>;
}

export interface EngineOptions {
  id: NodeId;
  dataDir: string;
  transport: Transport;
  bootstrap?: ReadonlyMap<NodeId, string>;
  /** Addresses to dial until the configuration names them (a node that just joined knows no members yet). */
  peers?: ReadonlyMap<NodeId, string>;
  clock?: Clock;
  rand?: Rand;
  tickMs?: number;
  electionTicks?: number;
  heartbeatTicks?: number;
  snapshotEntries?: number;
  trailingEntries?: number;
  snapshotChunkBytes?: number;
  /** Automatic roles on the leader (voters, standbys, promotion on voter loss); off when unset. */
  roles?: RolesOptions;
  logger?: RaftNodeLogger;
}

export interface RolesOptions {
  /** Voters wanted from 3 members on: 3 (default) or 5. */
  voters?: 3 | 5;
  /** A voter not heard from for this long counts as offline and is replaced. Default 30000 ms. */
  graceMs?: number;
  /** How often the leader reconsiders roles. Default 2000 ms. */
  intervalMs?: number;
  /** A standby within this many entries of the leader's log counts as caught up. Default 100. */
  maxLagEntries?: number;
}

interface ConfPoint {
  index: number;
  confState: ConfState;
  members: Map<NodeId, string>;
  domains: Map<NodeId, string>;
}

/**
 * The consensus half of the driver: the core, the durable log, the transport, timers and snapshot
 * files. Its loop ("pump") feeds inputs to the core and handles each Ready in the order the core
 * requires: persist (one SQLite transaction, fsynced when mustSync) → send → hand committed entries
 * and read states to the host → advance. It never runs application queries, so it can live on a
 * worker thread of its own while the host serves requests (ARCHITECTURE.md §2).
 */
export class RaftEngine implements EngineLink {
  readonly id: NodeId;
  private readonly core: RaftCore;
  private readonly storage: SqliteLogStorage;
  private readonly files: SnapshotFiles;
  private readonly receiver: SnapshotReceiver;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly log: RaftNodeLogger;
  private readonly tickMs: number;
  private readonly electionTicks: number;
  private readonly snapshotEntries: number;
  private readonly trailingEntries: number;
  private readonly chunkBytes: number;
  private members = new Map<NodeId, string>();
  private readonly dialHints: ReadonlyMap<NodeId, string>;
  /** Failure domains declared by members (from their conf-change context and snapshots). */
  private domains = new Map<NodeId, string>();
  private confState: ConfState;
  /** Configurations applied since the last snapshot, to describe the next one. */
  private confHistory: ConfPoint[] = [];
  private role: Role = 'follower';
  private leader: NodeId = NONE;
  private cancelTick: (() => void) | undefined;
  private pumping = false;
  private pumpScheduled = false;
  private stopped = false;
  private snapshotting: Promise<void> | undefined;
  private readonly sendingSnapshot = new Set<NodeId>();
  private readonly leaderWaiters = new Set<(role: Role) => void>();
  private readonly roles: Required<RolesOptions> | undefined;
  /** When the leader last heard from each peer (roles: online means heard within graceMs). */
  private readonly lastHeard = new Map<NodeId, number>();
  private roleChangeUntil = 0;
  private ticksToRoles = 0;
  readonly stats: EngineStats = { readies: 0, ticks: 0, tickLateMaxMs: 0, snapshotsTaken: 0, snapshotsInstalled: 0, snapshotsSent: 0 };

  constructor(
    opts: EngineOptions,
    private readonly host: EngineHost,
  ) {
    this.id = opts.id;
    this.transport = opts.transport;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? noopLogger;
    this.tickMs = opts.tickMs ?? 100;
    this.electionTicks = opts.electionTicks ?? 10;
    this.snapshotEntries = opts.snapshotEntries ?? 10_000;
    this.trailingEntries = opts.trailingEntries ?? 5000;
    this.chunkBytes = opts.snapshotChunkBytes ?? 1 << 20;
    this.dialHints = opts.peers ?? new Map();
    this.roles = opts.roles && { voters: opts.roles.voters ?? 3, graceMs: opts.roles.graceMs ?? 30_000, intervalMs: opts.roles.intervalMs ?? 2000, maxLagEntries: opts.roles.maxLagEntries ?? 100 };
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
    this.domains = new Map(decodeDescriptor(snap.data).domains ?? []);
    // The state DB lags the snapshot only if it lost writes (it need not fsync: the log is the
    // record) or a crash came between persisting a received snapshot and installing it.
    if (host.appliedIndex() < snap.metadata.index) this.installImage(snap);
    this.core = createRaft({
      id: this.id,
      storage: this.storage,
      electionTick: this.electionTicks,
      heartbeatTick: opts.heartbeatTicks ?? 1,
      rand: opts.rand ?? Math.random,
      // Entries after the snapshot are handed out again: the host skips what it already applied,
      // and configuration entries rebuild the core's membership.
      applied: snap.metadata.index,
    });
    this.receiver = new SnapshotReceiver(
      this.files,
      (m) => this.input(() => this.core.step(m)),
      (from, err) => this.log.warn('snapshot transfer failed', { from, err: err.message }),
    );
  }

  start(): void {
    this.transport.setPeers(this.peerAddresses());
    this.transport.start((from, frame) => this.onFrame(from, frame));
    // The only voter need not wait an election timeout to lead (a one-node cluster starts at once).
    if (this.confState.voters.length === 1 && this.confState.voters[0] === this.id) this.core.campaign();
    this.scheduleTick();
    this.schedulePump();
  }

  propose(_batch: number, data: Uint8Array): 'ok' | 'requeue' | Error {
    if (this.stopped) return new RaftNodeError('Stopped', 'raft node is stopped');
    const r = this.core.propose(data);
    this.schedulePump();
    if (r.ok) return 'ok';
    // A transfer ends (or is aborted) within an election timeout; then the new leader takes them.
    if (r.reason === 'leaderTransferInProgress' || r.reason === 'noLeader') return 'requeue';
    return new RaftNodeError('Dropped', `proposal dropped: ${r.reason}`);
  }

  readIndex(ctx: Uint8Array): boolean {
    if (this.stopped) return false;
    const ok = this.core.readIndex(ctx).ok;
    this.schedulePump();
    return ok;
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.stopped) return { ok: false, reason: 'noLeader' };
    const r = this.core.proposeConfChange(cc);
    this.schedulePump();
    return r;
  }

  transferLeadership(to: NodeId): void {
    this.input(() => this.core.transferLeader(to));
  }

  status(): EngineStatus {
    const st = this.core.status();
    const out: EngineStatus = {
      id: this.id,
      role: st.softState.role,
      leader: st.softState.leader,
      term: st.hardState.term,
      commit: st.hardState.commit,
      applied: this.host.appliedIndex(),
      lastIndex: st.lastIndex,
      snapshotIndex: this.storage.snapshot().metadata.index,
      voters: [...st.config.voters],
      learners: [...st.config.learners],
      members: Object.fromEntries([...this.members].map(([id, a]) => [String(id), a])),
      domains: Object.fromEntries([...this.domains].map(([id, d]) => [String(id), d])),
    };
    if (st.progress) {
      const now = this.clock.now();
      out.progress = Object.fromEntries(
        [...st.progress].map(([id, p]) => {
          const heard = this.lastHeard.get(id);
          return [String(id), { match: p.match, state: p.state, recentActive: p.recentActive, ...(id !== this.id && heard !== undefined ? { lastHeardMsAgo: now - heard } : {}) }];
        }),
      );
    }
    return out;
  }

  /**
   * Stops. A leader first hands leadership to its most caught-up voter (so the cluster does not wait
   * an election timeout), bounded by one election timeout. Idempotent.
   */
  async stop(transferLeadership: boolean): Promise<void> {
    if (this.stopped) return;
    if (transferLeadership && this.role === 'leader') await this.handOver();
    this.stopped = true;
    this.cancelTick?.();
    this.receiver.close();
    await this.transport.close();
    await this.snapshotting;
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
    await new Promise<void>((resolve) => {
      const finish = () => {
        cancel();
        this.leaderWaiters.delete(onRole);
        resolve();
      };
      const onRole = (role: Role) => role !== 'leader' && finish();
      const cancel = this.clock.setTimeout(finish, this.tickMs * this.electionTicks);
      this.leaderWaiters.add(onRole);
      this.transferLeadership(best);
    });
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
    this.lastHeard.set(from, this.clock.now());
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
    const due = this.clock.now() + this.tickMs;
    this.cancelTick = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.stats.ticks++;
      this.stats.tickLateMaxMs = Math.max(this.stats.tickLateMaxMs, this.clock.now() - due);
      this.core.tick();
      this.pump();
      this.maybeChangeRoles();
      this.scheduleTick();
    }, this.tickMs);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    // setImmediate runs after pending I/O callbacks: messages already on their way join this round.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (this.core.hasReady()) this.handleReady(this.core.ready());
    } catch (err) {
      // A persist or apply failed (disk full, I/O error): the core and the disk may disagree, so stop.
      this.pumping = false;
      this.log.warn('raft node failed; stopping', { err: (err as Error).message });
      this.host.failed(err as Error);
      void this.stop(false);
      return;
    }
    this.pumping = false;
    this.maybeSnapshot();
  }

  private handleReady(rd: Ready): void {
    this.stats.readies++;
    // 1. Durable before anything leaves this node (votes and append acks promise it).
    this.storage.save({ snapshot: rd.snapshot, entries: rd.entries, hardState: rd.hardState }, rd.mustSync);
    for (const e of rd.entries) {
      if (e.type !== 'normal' || e.data.length === 0) continue;
      const { origin, batch } = peekEnvelope(e.data);
      if (origin === this.id) this.host.seen(batch, e.index, e.term);
    }
    if (rd.softState) {
      // A new leader gives every peer a full grace period before judging it offline.
      if (rd.softState.role === 'leader' && this.role !== 'leader') for (const id of this.members.keys()) this.lastHeard.set(id, this.clock.now());
      this.leader = rd.softState.leader;
      this.role = rd.softState.role;
      this.host.softState(this.leader, this.role);
      for (const w of this.leaderWaiters) w(this.role);
    }
    // 2. Send.
    this.send(rd.messages);
    // 3. Apply (the host does the state machine; membership is applied here, in log order).
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) if (e.type === 'confChange') this.applyConfChange(e);
    if (rd.committedEntries.length > 0) this.host.committed(rd.committedEntries);
    // 4. Read states, then 5. advance.
    for (const rs of rd.readStates) this.host.readState(rs.context, rs.index);
    this.core.advance(rd);
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
    void sendSnapshot(this.files, this.transport, m, d, this.chunkBytes).then((ok) => {
      this.sendingSnapshot.delete(m.to);
      if (ok) this.stats.snapshotsSent++;
      this.input(() => this.core.reportSnapshot(m.to, ok));
    });
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.confState = this.core.applyConfChange(cc);
    if (cc.type === 'removeNode') {
      this.members.delete(cc.nodeId);
      this.domains.delete(cc.nodeId);
    } else if (cc.context && cc.context.length > 0) {
      const ctx = JSON.parse(Buffer.from(cc.context).toString('utf8')) as { address?: string; domain?: string };
      if (ctx.address) this.members.set(cc.nodeId, ctx.address);
      if (ctx.domain) this.domains.set(cc.nodeId, ctx.domain);
    }
    this.confHistory.push({ index: e.index, confState: this.confState, members: new Map(this.members), domains: new Map(this.domains) });
    this.transport.setPeers(this.peerAddresses());
    this.roleChangeUntil = 0;
    this.host.confApplied(cc, this.confState);
  }

  /** The leader's role manager: at most one membership change in flight, decided by nextRoleChange. */
  private maybeChangeRoles(): void {
    const r = this.roles;
    if (!r || this.role !== 'leader' || this.stopped) return;
    if (--this.ticksToRoles > 0) return;
    this.ticksToRoles = Math.max(1, Math.round(r.intervalMs / this.tickMs));
    const now = this.clock.now();
    if (now < this.roleChangeUntil) return;
    const st = this.core.status();
    const online = new Set<NodeId>([this.id]);
    const caughtUp = new Set<NodeId>([this.id]);
    for (const [id, p] of st.progress ?? []) {
      if (id !== this.id && now - (this.lastHeard.get(id) ?? 0) <= r.graceMs) online.add(id);
      if (p.match >= st.lastIndex - r.maxLagEntries) caughtUp.add(id);
    }
    const view: ClusterView = { leader: this.id, voters: st.config.voters, learners: st.config.learners, online, caughtUp, domains: this.domains };
    const change = nextRoleChange(view, { voters: r.voters });
    if (!change) return;
    const res = this.core.proposeConfChange(change);
    this.log.info('changing roles', { change: `${change.type} ${change.nodeId}`, accepted: res.ok, offline: st.config.voters.filter((v) => !online.has(v)) });
    // Cleared when the change is applied; the deadline covers a change lost with a leader change.
    if (res.ok) this.roleChangeUntil = now + r.graceMs;
    this.schedulePump();
  }

  private installSnapshot(snap: Snapshot): void {
    this.installImage(snap);
    this.confState = snap.metadata.confState;
    const d = decodeDescriptor(snap.data);
    this.members = new Map(d.members);
    this.domains = new Map(d.domains ?? []);
    this.confHistory = [];
    this.transport.setPeers(this.peerAddresses());
    this.files.prune(new Set(d.file ? [d.file] : []));
    this.stats.snapshotsInstalled++;
    this.log.info('installed snapshot', { index: snap.metadata.index, term: snap.metadata.term });
  }

  private installImage(snap: Snapshot): void {
    const d = decodeDescriptor(snap.data);
    this.host.installImage(d.file ? this.files.path(d.file) : undefined, snap.metadata.index, snap.metadata.term);
  }

  private peerAddresses(): Map<NodeId, string> {
    const m = new Map([...this.dialHints, ...this.members]);
    m.delete(this.id);
    return m;
  }

  // ---- snapshots -----------------------------------------------------------------------------------

  private maybeSnapshot(): void {
    if (this.snapshotting || this.stopped) return;
    if (this.host.appliedIndex() - this.storage.snapshot().metadata.index < this.snapshotEntries) return;
    this.snapshotting = this.takeSnapshot().then(
      () => {
        this.snapshotting = undefined;
      },
      (err: Error) => {
        this.snapshotting = undefined;
        this.log.warn('snapshot failed', { err: err.message });
      },
    );
  }

  /** Snapshot now: the host writes an image of its state; it becomes the log's snapshot. Resolves with its index. */
  async takeSnapshot(): Promise<number> {
    const temp = this.files.tempPath('backup');
    try {
      const { index, term } = await this.host.saveImage(temp);
      const prev = this.storage.snapshot();
      if (this.stopped || index <= prev.metadata.index) return prev.metadata.index;
      if (this.storage.term(index) !== term) throw new Error(`snapshot image at ${index} has term ${term}, the log says ${this.storage.term(index)}`);
      const sealed = await this.files.seal(temp, index);
      if (this.stopped) return prev.metadata.index;
      const conf = this.confAt(index);
      this.storage.createSnapshot(index, conf.confState, encodeDescriptor({ ...sealed, members: [...conf.members], domains: [...conf.domains] }));
      this.confHistory = this.confHistory.filter((h) => h.index > index);
      const compactTo = index - this.trailingEntries;
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

  private confAt(index: number): Omit<ConfPoint, 'index'> {
    let found: ConfPoint | undefined;
    for (const h of this.confHistory) if (h.index <= index) found = h;
    if (found) return found;
    const snap = this.storage.snapshot();
    const d = decodeDescriptor(snap.data);
    return { confState: snap.metadata.confState, members: new Map(d.members), domains: new Map(d.domains ?? []) };
  }
}
