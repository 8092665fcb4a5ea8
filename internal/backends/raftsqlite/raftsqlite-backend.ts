import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeId } from '../../raft/index.js';
import { RaftNode, type RaftNodeLogger, type RaftNodeOptions, type Transport, type WorkerEngineOptions } from '../../raftnode/index.js';
import {
  WatchHub,
  type Backend,
  type BackendStatus,
  type GetResult,
  type ListOptions,
  type ListResult,
  type Op,
  type OpResult,
  type ReadOptions,
  type WatchBatch,
  type WatchOptions,
  type WriteResult,
} from '../../storage/index.js';
import { realClock, type Clock, type Rand } from '../../util/index.js';
import { CompactionPolicy, type CompactionPolicyOptions } from '../shared/compaction-policy.js';
import { Compactor, LeaseExpiry, OpBackend, SqliteReader, WalCheckpointer, openDatabase } from '../sqlite/index.js';
import { opCodec } from './op-codec.js';
import { translateRaftError } from './raft-errors.js';
import { LeaderReadiness } from './readiness.js';
import { SqliteReplica } from './replica.js';

/** Raft timing and snapshot knobs passed through to the driver. */
export type RaftTuning = Pick<
  RaftNodeOptions<Op, OpResult>,
  'tickMs' | 'electionTicks' | 'heartbeatTicks' | 'snapshotEntries' | 'trailingEntries' | 'proposalTimeoutMs' | 'readTimeoutMs' | 'maxBatchCommands' | 'snapshotChunkBytes' | 'roles'
>;

export interface RaftSqliteBackendOptions {
  /** Folder of this node's files: state.db, raft.db, snapshots/. */
  dataDir: string;
  nodeId: NodeId;
  /** Peer transport, for a Raft engine on this thread (tests: MemoryNetwork; or WsTransport on the API port). */
  transport?: Transport;
  /**
   * Run the Raft engine on a worker thread with its own mTLS peer listener instead (production
   * default for HA: long LISTs on this thread then never delay heartbeats).
   */
  worker?: WorkerEngineOptions;
  /** Founding members (id → peer address) for a new cluster; omit when joining. */
  bootstrap?: ReadonlyMap<NodeId, string>;
  /** This node's failure domain, for the founding member (a joining node sends its own with the join). */
  domain?: string;
  /** Addresses to dial until the configuration names them (a node that just joined a cluster). */
  peers?: ReadonlyMap<NodeId, string>;
  /**
   * 'linearizable' (default): reads of the latest state, and currentRevision(), wait for a ReadIndex
   * barrier, so they see every write acknowledged anywhere before they started. 'serializable': read
   * the local replica as it is (may lag the leader by a few milliseconds, never goes back in time).
   * Reads at an explicit revision that this node has already applied never need the barrier.
   */
  reads?: 'linearizable' | 'serializable';
  raft?: RaftTuning;
  clock?: Clock;
  rand?: Rand;
  logger?: RaftNodeLogger;
  compaction?: (CompactionPolicyOptions & { chunkRevisions?: number }) | false;
  leaseCheckIntervalMs?: number;
  maxValueBytes?: number;
  watch?: { ringMaxEvents?: number; ringMaxBytes?: number; watcherMaxEvents?: number; watcherMaxBytes?: number };
}

export type RaftSqliteBackend = Backend & { status: BackendStatus; node: RaftNode<Op, OpResult> };

// Lease ids: each node hands out ids from its own slot of 2^44 (a millisecond clock fits until the
// year 2527), so two nodes granting in the same millisecond never collide; 511 slots stay < 2^53.
const LEASE_SLOT = 2 ** 44;

/**
 * The replicated embedded store: the sqlite schema and state machine, written only by the Raft apply
 * loop. Writes become proposals (a follower's core forwards them to the leader; the caller's promise
 * resolves when this node applies the entry, so it reads its own writes). Reads and watches are
 * served from the local replica on every node; watches are fed by the local apply loop, so they
 * survive leader changes. The leader alone runs lease expiry and the compaction policy (both
 * propose ordinary ops); every node cleans up its own history after a replicated compact.
 */
export function createRaftSqliteBackend(opts: RaftSqliteBackendOptions): RaftSqliteBackend {
  const clock = opts.clock ?? realClock;
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // NORMAL: the Raft log is the durable record; a state DB that lost its last commits is caught up
  // by replaying the log (datastore-anchors.md §d.1.4).
  const db = openDatabase(join(opts.dataDir, 'state.db'), { synchronous: 'NORMAL' });
  const replica = new SqliteReplica(db);
  const window = () => ({ revision: replica.sm.revision(), compactRevision: replica.sm.compactRevision() });
  const reader = new SqliteReader(db, window);
  const hub = new WatchHub({ ...window(), readHistory: (p, a, u, l) => reader.history(p, a, u, l), clock, ...opts.watch });
  const compactOpts = opts.compaction === false ? undefined : (opts.compaction ?? {});
  const compactor = new Compactor(db, () => replica.sm.compactRevision(), { chunkRevisions: compactOpts?.chunkRevisions });
  // Checkpoints (and their fsyncs) off the thread that serves requests and applies entries.
  const checkpointer = new WalCheckpointer(db, { onError: (err) => opts.logger?.warn('state DB checkpoints fall back to the writer thread', { err: err.message }) });
  replica.attach(hub, compactor, checkpointer);

  let node: RaftNode<Op, OpResult>;
  try {
    node = new RaftNode<Op, OpResult>({
      id: opts.nodeId,
      dataDir: opts.dataDir,
      stateMachine: replica,
      codec: opCodec,
      transport: opts.transport,
      worker: opts.worker,
      bootstrap: opts.bootstrap,
      domain: opts.domain,
      peers: opts.peers,
      clock,
      rand: opts.rand,
      logger: opts.logger,
      ...opts.raft,
    });
  } catch (err) {
    void checkpointer.close();
    db.close();
    throw err;
  }

  const propose = async (op: Op): Promise<OpResult> => {
    try {
      return await node.propose(op);
    } catch (err) {
      throw translateRaftError(err, op.op);
    }
  };
  const slot = ((opts.nodeId - 1) % 511) + 1;
  const maxOwnLease = db.prepare('SELECT max(id) FROM leases WHERE id >= ? AND id < ?').pluck().get(slot * LEASE_SLOT, (slot + 1) * LEASE_SLOT) as number | null;
  // A new leader waits one election timeout before expiring leases (etcd extends them on a leader
  // change): keep-alives that could not reach anyone during the election do not cost the leases.
  const electionMs = (opts.raft?.tickMs ?? 100) * (opts.raft?.electionTicks ?? 10);
  let leaderSince = Number.POSITIVE_INFINITY;
  node.onLeaderChange((_, role) => (leaderSince = role === 'leader' ? clock.now() : Number.POSITIVE_INFINITY));
  // Ready through a normal election; not once leaderless for longer (cut off from the quorum).
  const readiness = new LeaderReadiness(clock, 2 * electionMs);
  node.onLeaderChange((leader, role) => readiness.observe(leader, role));
  const leases = new LeaseExpiry(
    clock,
    (now) => (node.isLeader() && now - leaderSince >= electionMs ? reader.dueLeases(now) : []),
    async (id) => void (await propose({ op: 'leaseRevoke', id })),
    opts.leaseCheckIntervalMs,
  );
  let policy: CompactionPolicy | undefined;
  let open = true;
  const inner = new OpBackend({
    reader,
    hub,
    propose,
    window,
    clock,
    firstLeaseId: Math.max((maxOwnLease ?? 0) + 1, slot * LEASE_SLOT + clock.now()),
    maxValueBytes: opts.maxValueBytes ?? 1536 * 1024,
    onClose: async () => {
      open = false;
      policy?.stop();
      leases.stop();
      await node.stop({ transferLeadership: true });
      hub.close();
      await compactor.stop();
      await checkpointer.close();
      db.close();
    },
  });

  const barrier = opts.reads === 'serializable' ? async () => {} : () => node.readBarrier().catch((err: unknown) => Promise.reject(translateRaftError(err, 'read')));
  const backend = new RaftSqliteStore(inner, barrier, () => window().revision, node);

  if (compactOpts) {
    policy = new CompactionPolicy(clock, window, (rev) => (node.isLeader() ? inner.compact(rev) : Promise.resolve()), compactOpts);
    policy.start();
  }
  node.start();
  leases.start();
  compactor.kick();

  const status: BackendStatus = {
    name: 'raftsqlite',
    // readiness.ts: ready with a leader and through an election; a node leaderless for longer than
    // 2 election timeouts has lost the quorum and is not, so a load balancer stops sending it requests.
    ready: () => open && readiness.ready(),
    stats: () => {
      const st = node.status();
      const { readies, entriesApplied, batchesProposed, commandsProposed, tickLateMaxMs } = node.stats;
      return {
        ...window(),
        role: st.role,
        leader: st.leader,
        term: st.term,
        commit: st.commit,
        appliedIndex: st.applied,
        snapshotIndex: st.snapshotIndex,
        // Engine counters (the engine worker refreshes them every tick): entries per proposal show the group commit at work.
        raftReadies: readies,
        raftEntriesApplied: entriesApplied,
        raftBatchesProposed: batchesProposed,
        raftCommandsProposed: commandsProposed,
        raftTickLateMaxMs: tickLateMaxMs,
        ...hub.stats(),
      };
    },
  };
  return Object.assign(backend, { status, node });
}

/** Backend over OpBackend that puts the read barrier in front of reads of the latest state. */
class RaftSqliteStore implements Backend {
  constructor(
    private readonly inner: OpBackend,
    private readonly barrier: () => Promise<void>,
    private readonly localRevision: () => number,
    readonly node: RaftNode<Op, OpResult>,
  ) {}

  private async before(opts: ReadOptions): Promise<void> {
    // History at a revision this node already has is immutable: no barrier needed. A serializable
    // read asks for this node's state as it is (a hint a later compare-and-swap checks).
    if (opts.serializable) return;
    if (opts.revision && opts.revision > 0 && opts.revision <= this.localRevision()) return;
    await this.barrier();
  }

  async get(key: string, opts: ReadOptions = {}): Promise<GetResult> {
    await this.before(opts);
    return this.inner.get(key, opts);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    await this.before(opts);
    return this.inner.list(prefix, opts);
  }

  create(key: string, value: Uint8Array, opts?: { lease?: number }): Promise<WriteResult> {
    return this.inner.create(key, value, opts);
  }

  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number }): Promise<WriteResult> {
    return this.inner.update(key, value, expectedModRevision, opts);
  }

  delete(key: string, opts?: { expectedModRevision?: number }): Promise<WriteResult> {
    return this.inner.delete(key, opts);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    return this.inner.watch(prefix, opts);
  }

  grantLease(ttlSeconds: number): Promise<number> {
    return this.inner.grantLease(ttlSeconds);
  }

  /** Linearizable: the revision after every write acknowledged before the call (consistent reads from the watch cache rely on it). */
  async currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    await this.barrier();
    return this.inner.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
