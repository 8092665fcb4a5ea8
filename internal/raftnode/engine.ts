import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  NONE,
  createRaft,
  decodeConfChange,
  type ConfChange,
  type Entry,
  type Message,
  type NodeId,
  type ProposeResult,
  type RaftCore,
  type Ready,
  type Role,
  type Snapshot,
} from '../raft/index.js';
import { realClock, type Clock } from '../util/index.js';
import { peekEnvelope } from './codec.js';
import { RaftNodeError } from './errors.js';
import { SqliteLogStorage } from './log-store.js';
import type { EngineHost, EngineLink, EngineOptions, EngineStats, EngineStatus, RaftNodeLogger } from './engine-types.js';
import { LeaderLossCampaigner } from './leader-loss.js';
import { Membership } from './membership.js';
import { RoleManager } from './role-manager.js';
import { SnapshotFiles, SnapshotReceiver, decodeDescriptor, encodeDescriptor, sendSnapshot } from './snapshots.js';
import { FrameKind, decodeFrame, encodeFrame, type Transport } from './transport.js';

/**
 * The consensus half of the driver: the core, the durable log, the transport, timers and snapshot
 * files. Its loop ("pump") feeds inputs to the core and handles each Ready in the order the core
 * requires: persist (one SQLite transaction, fsynced when mustSync) → send → hand committed entries
 * and read states to the host → advance. It never runs application queries, so it can live on a
 * worker thread of its own while the host serves requests (ARCHITECTURE.md §2).
 */
const noopLogger: RaftNodeLogger = { info() {}, warn() {} };

/** Messages that answer one this node sent (Transport.replied). */
const REPLIES: ReadonlySet<Message['type']> = new Set(['appResp', 'heartbeatResp', 'voteResp', 'preVoteResp', 'readIndexResp']);

/** A leader's log replication traffic (see handleReady step 0). */
const isReplication = (m: Message): boolean => m.type === 'app' || m.type === 'heartbeat';

export type { EngineHost, EngineLink, EngineOptions, EngineStats, EngineStatus, RaftNodeLogger, RolesOptions } from './engine-types.js';

export class RaftEngine implements EngineLink {
  readonly id: NodeId;
  private readonly core: RaftCore;
  private readonly storage: SqliteLogStorage;
  private readonly files: SnapshotFiles;
  private readonly receiver: SnapshotReceiver;
  private readonly leaderLoss: LeaderLossCampaigner;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly log: RaftNodeLogger;
  private readonly tickMs: number;
  private readonly electionTicks: number;
  private readonly snapshotEntries: number;
  private readonly trailingEntries: number;
  private readonly chunkBytes: number;
  private readonly membership: Membership;
  private readonly dialHints: ReadonlyMap<NodeId, string>;
  private role: Role = 'follower';
  private leader: NodeId = NONE;
  private cancelTick: (() => void) | undefined;
  private pumping = false;
  private pumpScheduled = false;
  private stopped = false;
  private snapshotting: Promise<void> | undefined;
  /** The image of the snapshot before the current one, kept for followers still downloading it. */
  private previousImage: string | null = null;
  private readonly sendingSnapshot = new Set<NodeId>();
  private readonly leaderWaiters = new Set<(role: Role) => void>();
  /** Heard-from times of peers (status) and, when enabled, automatic roles on the leader. */
  private readonly roles: RoleManager;
  private readonly rolesEnabled: boolean;
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
    this.roles = new RoleManager(opts.id, opts.roles ?? {});
    this.rolesEnabled = opts.roles !== undefined;
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.storage = new SqliteLogStorage(join(opts.dataDir, 'raft.db'));
    this.files = new SnapshotFiles(join(opts.dataDir, 'snapshots'));
    if (this.storage.isEmpty() && opts.bootstrap) {
      const voters = [...opts.bootstrap.keys()].sort((a, b) => a - b);
      const domains: [NodeId, string][] = opts.domain ? [[this.id, opts.domain]] : [];
      this.storage.bootstrap({ voters, learners: [] }, encodeDescriptor({ file: null, size: 0, sha256: '', members: [...opts.bootstrap], domains }));
    }
    const snap = this.storage.snapshot();
    this.membership = new Membership(snap);
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
    // A closed connection to the leader starts an election at once (leader-loss.ts).
    this.leaderLoss = new LeaderLossCampaigner(this.core, this.clock, opts.rand ?? Math.random, this.tickMs * (opts.heartbeatTicks ?? 1), () => this.schedulePump(), this.log);
    this.receiver = new SnapshotReceiver(
      this.files,
      (m) => this.input(() => this.core.step(m)),
      (from, err) => this.log.warn('snapshot transfer failed', { from, err: err.message }),
    );
  }

  start(): void {
    this.transport.setPeers(this.peerAddresses());
    this.transport.start(
      (from, frame) => this.onFrame(from, frame),
      (peer) => this.input(() => this.leaderLoss.peerLost(peer)),
    );
    // The only voter need not wait an election timeout to lead (a one-node cluster starts at once).
    const voters = this.membership.confState.voters;
    if (voters.length === 1 && voters[0] === this.id) this.core.campaign();
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
      members: Object.fromEntries([...this.membership.members].map(([id, a]) => [String(id), a])),
      domains: Object.fromEntries([...this.membership.domains].map(([id, d]) => [String(id), d])),
      spares: Object.fromEntries([...this.membership.spares].map(([id, a]) => [String(id), a])),
    };
    const down = this.transport.unreachable?.();
    if (down && down.size > 0) out.unreachable = Object.fromEntries([...down].map(([id, u]) => [String(id), u]));
    if (st.progress) {
      const now = this.clock.now();
      out.progress = Object.fromEntries(
        [...st.progress].map(([id, p]) => {
          const ago = id === this.id ? undefined : this.roles.lastHeardMsAgo(id, now);
          return [String(id), { match: p.match, state: p.state, recentActive: p.recentActive, ...(ago !== undefined ? { lastHeardMsAgo: ago } : {}) }];
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
    this.leaderLoss.stop();
    this.receiver.close();
    await this.transport.close();
    await this.snapshotting;
    this.storage.close();
  }

  private async handOver(): Promise<void> {
    const progress = this.core.status().progress;
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.membership.confState.voters) {
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
    this.roles.heard(from, this.clock.now());
    if (f.kind === FrameKind.Messages) {
      let replied = false;
      this.input(() => {
        for (const m of f.messages) {
          // A peer speaks only for itself; a snapshot arrives only through the checked stream.
          if (m.from !== from || m.to !== this.id || m.type === 'snap') continue;
          if (REPLIES.has(m.type)) replied = true;
          this.core.step(m);
        }
      });
      if (replied) this.transport.replied?.(from);
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
      if (!this.stopped) this.host.ticked?.();
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
    // 0. A leader's appends and heartbeats promise nothing about its own log (the core counts the
    // leader's entries toward commit only at advance(), after the save below), so they leave before
    // its fsync and the followers write in parallel with it: a commit then costs about one fsync of
    // latency instead of two. Not when this Ready changes term or vote, which must be durable first.
    let rest = rd.messages;
    if (this.role === 'leader' && !rd.softState && !rd.snapshot && this.keepsTermAndVote(rd)) {
      const early = rd.messages.filter(isReplication);
      if (early.length > 0) {
        rest = rd.messages.filter((m) => !isReplication(m));
        this.send(early);
      }
    }
    // 1. Durable before anything else leaves this node (votes and append acks promise it).
    this.storage.save({ snapshot: rd.snapshot, entries: rd.entries, hardState: rd.hardState }, rd.mustSync);
    for (const e of rd.entries) {
      if (e.type !== 'normal' || e.data.length === 0) continue;
      const { origin, batch } = peekEnvelope(e.data);
      if (origin === this.id) this.host.seen(batch, e.index, e.term);
    }
    if (rd.softState) {
      // A new leader gives every peer a full grace period before judging it offline.
      if (rd.softState.role === 'leader' && this.role !== 'leader') this.roles.becameLeader(this.membership.members.keys(), this.clock.now());
      this.leader = rd.softState.leader;
      this.role = rd.softState.role;
      this.host.softState(this.leader, this.role);
      for (const w of this.leaderWaiters) w(this.role);
    }
    // 2. Send.
    this.send(rest);
    // 3. Apply (the host does the state machine; membership is applied here, in log order).
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) if (e.type === 'confChange') this.applyConfChange(e);
    if (rd.committedEntries.length > 0) this.host.committed(rd.committedEntries);
    // 4. Read states, then 5. advance.
    for (const rs of rd.readStates) this.host.readState(rs.context, rs.index);
    this.core.advance(rd);
    this.host.readyDone?.();
  }

  private keepsTermAndVote(rd: Ready): boolean {
    if (!rd.hardState) return true;
    const h = this.storage.hardState();
    return rd.hardState.term === h.term && rd.hardState.vote === h.vote;
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
    const conf = this.core.applyConfChange(cc);
    this.membership.applied(e.index, cc, conf);
    this.transport.setPeers(this.peerAddresses());
    this.roles.changeApplied();
    this.host.confApplied(cc, conf);
  }

  /** Automatic roles: on the leader, propose the one change the role manager picks (if any). */
  private maybeChangeRoles(): void {
    if (!this.rolesEnabled || this.role !== 'leader' || this.stopped) return;
    const now = this.clock.now();
    const st = this.core.status();
    const change = this.roles.decide(st, this.membership, now);
    if (!change) return;
    const res = this.core.proposeConfChange(change);
    this.log.info('changing roles', { change: `${change.type} ${change.nodeId}`, accepted: res.ok, offline: this.roles.offline(st.config.voters, now) });
    if (res.ok) this.roles.proposed(now);
    this.schedulePump();
  }

  private installSnapshot(snap: Snapshot): void {
    this.installImage(snap);
    this.membership.installed(snap);
    this.transport.setPeers(this.peerAddresses());
    this.pruneImages();
    this.stats.snapshotsInstalled++;
    this.log.info('installed snapshot', { index: snap.metadata.index, term: snap.metadata.term });
  }

  /** Keeps the log's image, the one before it (a follower may be downloading it) and anything newer. */
  private pruneImages(): void {
    const snap = this.storage.snapshot();
    const file = decodeDescriptor(snap.data).file;
    const keep = new Set([file, this.previousImage].filter((f): f is string => f !== null));
    this.files.prune(snap.metadata.index, keep);
  }

  private installImage(snap: Snapshot): void {
    const d = decodeDescriptor(snap.data);
    this.host.installImage(d.file ? this.files.path(d.file) : undefined, snap.metadata.index, snap.metadata.term);
  }

  private peerAddresses(): Map<NodeId, string> {
    return this.membership.peers(this.id, this.dialHints);
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
      // A received snapshot may have been installed while the image was sealed.
      const latest = this.storage.snapshot();
      if (this.stopped || index <= latest.metadata.index) return latest.metadata.index;
      const conf = this.membership.at(index, prev);
      this.storage.createSnapshot(index, conf.confState, encodeDescriptor({ ...sealed, ...this.membership.describe(conf) }));
      this.membership.snapshotTaken(index);
      const compactTo = index - this.trailingEntries;
      if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
      this.previousImage = decodeDescriptor(prev.data).file;
      this.pruneImages();
      this.stats.snapshotsTaken++;
      this.log.info('took snapshot', { index, term, bytes: sealed.size, firstIndex: this.storage.firstIndex() });
      return index;
    } finally {
      rmSync(temp, { force: true });
    }
  }
}
