// The engine's contracts: what it needs from its host (EngineHost), what the host calls on it
// (EngineLink, implemented in-thread by RaftEngine and across threads by WorkerEngine), its options.
import type { ConfChange, ConfState, Entry, NodeId, ProposeResult, Role } from '../raft/index.js';
import type { Clock, Rand } from '../util/index.js';
import type { RolesOptions } from './role-manager.js';
import type { Transport } from './transport.js';

export interface RaftNodeLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}


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
  /**
   * Optional: the callbacks of one Ready are all made. A worker's host sends what it collected to
   * the parent now, so the apply there overlaps the next Ready's fsync here.
   */
  readyDone?(): void;
  /**
   * Optional: one tick ran (every tickMs, after its Ready was handled). A worker's host reports its
   * status from here, so the report shares the tick's wake-up instead of needing a timer of its own.
   */
  ticked?(): void;
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
  /** Spares (id → peer address): recorded nodes outside the Raft configuration, with no replica. */
  spares?: Record<string, string>;
  /** On the leader: each member's replicated index and ms since it was last heard from. */
  progress?: Record<string, { match: number; state: string; recentActive: boolean; lastHeardMsAgo?: number }>;
  /** Peers this node cannot connect to now: the last error and since when (epoch ms). */
  unreachable?: Record<string, { error: string; since: number }>;
}

export interface EngineOptions {
  id: NodeId;
  dataDir: string;
  transport: Transport;
  bootstrap?: ReadonlyMap<NodeId, string>;
  /** This node's failure domain, recorded in the bootstrap configuration (joining nodes send theirs with the join). */
  domain?: string;
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

export type { RolesOptions };
