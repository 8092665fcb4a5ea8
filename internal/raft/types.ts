// Value types of the Raft core: entries, messages, persisted state and the Ready batch.
// Names follow the Raft paper and etcd-io/raft. All values are plain data (structured-clone safe);
// the core never mutates a value after handing it out.

/** A member id. 0 means "none" (no leader, no vote). Ids must be positive safe integers. */
export type NodeId = number;
export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'confChange';

/**
 * One log entry. An empty `normal` entry (data.length === 0) is the no-op a new leader appends.
 * A `confChange` entry's data is `encodeConfChange(cc)`.
 */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** The configuration: who votes and who only receives the log. A node is in at most one list. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

/**
 * A single-step membership change.
 * - addVoter: adds a voter, or promotes an existing learner to voter.
 * - addLearner: adds a learner, or demotes an existing voter to learner.
 * - removeNode: removes a voter or learner.
 * `context` is opaque to the core (the driver may carry the node's address there).
 */
export interface ConfChange {
  type: 'addVoter' | 'addLearner' | 'removeNode';
  nodeId: NodeId;
  context?: Uint8Array;
}

/** State that must be durable before any message of the same Ready is sent. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state, reported when it changes; never needs persisting. */
export interface SoftState {
  leader: NodeId;
  role: Role;
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** A state-machine image covering the log up to metadata.index. `data` is opaque to the core. */
export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

/** A linearizable read point: once the local applied index is >= index, a read for `context` is safe. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

/**
 * Message types. Local-only inputs (ticks, proposals made on this node, reports) are methods of
 * RaftCore, not messages. Every type below may travel between nodes:
 * - app/appResp: AppendEntries and its answer (reject + rejectHint on a log mismatch).
 * - vote/voteResp, preVote/preVoteResp: elections (term of a preVote is the term the sender would use).
 * - heartbeat/heartbeatResp: leader liveness and commit propagation; context carries ReadIndex rounds.
 * - snap: InstallSnapshot (one message carries the whole snapshot).
 * - prop: a proposal forwarded from a follower to the leader.
 * - readIndex/readIndexResp: a read request forwarded from a follower, and the leader's answer.
 * - transferLeader: a leadership transfer request forwarded to the leader (`from` is the transferee).
 * - timeoutNow: the leader tells the transferee to campaign at once.
 */
export type MessageType =
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap'
  | 'prop'
  | 'readIndex'
  | 'readIndexResp'
  | 'transferLeader'
  | 'timeoutNow';

/**
 * One Raft message. A flat record like etcd's raftpb.Message; fields not used by a type are 0/empty.
 * `index`/`logTerm` describe the entry preceding `entries` (app), the candidate's last entry (vote),
 * or the matched/rejected index (appResp); readIndexResp carries the read index in `index`.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  /**
   * app only: the leader already knows the follower holds everything through `index` (an empty
   * append that only carries the commit index), so a successful answer would tell it nothing and
   * the follower sends none. Unset or false: answer as always.
   */
  noAck?: boolean;
  snapshot?: Snapshot;
  context?: Uint8Array;
}

/**
 * Everything the driver must do after a batch of inputs, in this order:
 * 1. Persist: if `snapshot`, install it into storage; append `entries` (an entry at index i replaces any
 *    stored entry >= i); store `hardState` if present. If `mustSync`, fsync before step 2.
 * 2. Send `messages` — only AFTER step 1 is durable. Votes and append acks in this list promise durable
 *    state (etcd #14370/#14143 came from breaking this).
 * 3. Apply `snapshot` (if any) then `committedEntries` to the state machine, in order. For each
 *    `confChange` entry call `core.applyConfChange(decodeConfChange(e.data))`.
 * 4. Hand `readStates` to waiting readers (serve each once applied >= its index).
 * 5. Call `core.advance(ready)`. Only then does a leader count its own new entries toward commit
 *    (they are known durable), and only then do committed entries count as applied.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  mustSync: boolean;
}

/** Why a proposal, read or transfer request was not accepted. Protocol outcomes, never thrown. */
export type DropReason =
  | 'noLeader'
  | 'leaderTransferInProgress'
  | 'confChangePending'
  | 'forwardingDisabled'
  | 'uncommittedSizeLimit'
  | 'invalidConfChange';

export type ProposeResult = { ok: true } | { ok: false; reason: DropReason };

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  isLearner: boolean;
  recentActive: boolean;
  inflight: number;
  pendingSnapshot: number;
}

/** A point-in-time view for diagnostics and tests. `progress` is present only on the leader. */
export interface Status {
  id: NodeId;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  lastIndex: number;
  config: ConfState;
  leadTransferee: NodeId;
  progress?: Map<NodeId, ProgressStatus>;
}
