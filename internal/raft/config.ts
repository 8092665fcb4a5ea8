import { ConfigError, type Rand } from '../util/index.js';
import type { LogStorage } from './storage.js';
import type { NodeId } from './types.js';

/** Options of createRaft. Validated once; defaults filled by validateConfig. */
export interface Config {
  /** This node's id (> 0). */
  id: NodeId;
  /** The durable log. Its initialState() gives term/vote/commit and the configuration. */
  storage: LogStorage;
  /**
   * A follower that hears nothing from a leader for a randomized [electionTick, 2*electionTick) ticks
   * campaigns. Must be > heartbeatTick; etcd suggests 10 * heartbeatTick.
   */
  electionTick: number;
  /** A leader sends heartbeats every heartbeatTick ticks. */
  heartbeatTick: number;
  /** Injected randomness for the election timeout jitter (e.g. util seededRand). */
  rand: Rand;
  /**
   * The last index already applied to the state machine; committed entries are handed out from
   * applied+1. Defaults to the storage snapshot index. Must correspond to storage's confState.
   */
  applied?: number;
  /** Upper bound (bytes of entry data) of one append message; at least one entry is always sent. Default 1 MiB. */
  maxSizePerMsg?: number;
  /** Max append messages in flight to one follower in replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Max bytes of entry data in flight to one follower (0 = unlimited). Default 0. */
  maxInflightBytes?: number;
  /** Leader drops proposals once the uncommitted tail exceeds this many bytes (0 = unlimited). Default 0. */
  maxUncommittedEntriesSize?: number;
  /** Max bytes of committed entries in one Ready (at least one entry). Default unlimited. */
  maxCommittedSizePerReady?: number;
  /** PreVote (thesis §9.6): a node campaigns only if a quorum would vote for it. Default true. */
  preVote?: boolean;
  /**
   * CheckQuorum: a leader steps down when it has not heard from a quorum within an election timeout,
   * and followers that heard from a leader within the election timeout ignore vote requests. Default true.
   */
  checkQuorum?: boolean;
  /**
   * Serve ReadIndex from the leader's lease (CheckQuorum) without a heartbeat round. Faster, but
   * only safe while clock drift between nodes is bounded (etcd ReadOnlyLeaseBased). Needs
   * checkQuorum. Default false: every read waits for a quorum heartbeat round.
   */
  readOnlyLeaseBased?: boolean;
  /** When true, followers drop proposals instead of forwarding them to the leader. Default false. */
  disableProposalForwarding?: boolean;
}

export type ValidConfig = Required<Config>;

export function validateConfig(c: Config): ValidConfig {
  if (!Number.isSafeInteger(c.id) || c.id <= 0) throw new ConfigError(`raft: id must be a positive integer, got ${c.id}`);
  if (!(c.heartbeatTick >= 1)) throw new ConfigError('raft: heartbeatTick must be >= 1');
  if (!(c.electionTick > c.heartbeatTick)) throw new ConfigError('raft: electionTick must be greater than heartbeatTick');
  const maxInflightMsgs = c.maxInflightMsgs ?? 256;
  if (maxInflightMsgs < 1) throw new ConfigError('raft: maxInflightMsgs must be >= 1');
  const maxSizePerMsg = c.maxSizePerMsg ?? 1024 * 1024;
  const maxInflightBytes = c.maxInflightBytes ?? 0;
  if (maxInflightBytes !== 0 && maxInflightBytes < maxSizePerMsg) {
    throw new ConfigError('raft: maxInflightBytes must be >= maxSizePerMsg');
  }
  const checkQuorum = c.checkQuorum ?? true;
  if (c.readOnlyLeaseBased && !checkQuorum) throw new ConfigError('raft: readOnlyLeaseBased requires checkQuorum');
  return {
    id: c.id,
    storage: c.storage,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    rand: c.rand,
    applied: c.applied ?? -1,
    maxSizePerMsg,
    maxInflightMsgs,
    maxInflightBytes,
    maxUncommittedEntriesSize: c.maxUncommittedEntriesSize ?? 0,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady ?? Number.MAX_SAFE_INTEGER,
    preVote: c.preVote ?? true,
    checkQuorum,
    readOnlyLeaseBased: c.readOnlyLeaseBased ?? false,
    disableProposalForwarding: c.disableProposalForwarding ?? false,
  };
}
