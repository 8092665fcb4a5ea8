// internal/raft: the pure Raft consensus core (etcd-raft RawNode shape). Imports only internal/util.
// No I/O, timers, Date.now, Math.random or Promises here: the driver (internal/raftnode) and the
// cluster simulator (test/cluster) own time, randomness, transport and durable storage.
//
// Semantics a driver must know (details on RaftCore, Ready and LogStorage):
// - Durability: persist a Ready's snapshot, entries and hardState (fsync when mustSync) BEFORE sending
//   its messages. The leader counts its own entries toward commit only at advance(), i.e. once durable.
// - Membership: single-step ConfChange (addVoter / addLearner / removeNode; addVoter on a learner
//   promotes it). One pending change at a time. A change takes effect when the driver applies the
//   committed entry and calls applyConfChange (etcd semantics: on apply, not on append).
// - Bootstrap: either every founding member starts from MemoryLogStorage.withConfState(cs) (a snapshot
//   at index 1), or, as etcd does, from a log of committed addVoter entries with an empty ConfState.
//   A joining node starts from an empty storage and learns everything from the leader.
// - Defaults: PreVote and CheckQuorum on (CheckQuorum also gives followers a vote lease); ReadIndex
//   is the safe (heartbeat-quorum) variant. Proposal forwarding is on unless disabled.
// - Leader loss: a driver that sees its leader's connection close may call forgetLeader() and then
//   campaign() on the schedule of leaderLossCampaignDelay(), instead of waiting out the election
//   timeout. A leader that vanishes without closing connections (power loss, a cut cable) is still
//   detected only by the election timeout.
export type { Config } from './config.js';
export type { RaftCore, RaftFactory } from './core.js';
export { createRaft } from './raw-node.js';
export { SNAPSHOT_TIMEOUT_ROUNDS } from './step-leader.js';
export { LEADER_LOSS_ATTEMPTS, leaderLossCampaignDelay } from './leader-loss.js';
export { LogStorageError, isLogStorageError, entriesSize, limitSize } from './storage.js';
export type { LogStorage, LogStorageErrorCode, InitialState } from './storage.js';
export { MemoryLogStorage } from './memory-storage.js';
export { encodeConfChange, decodeConfChange } from './conf-change.js';
import { ProgressTracker } from './tracker.js';
/** The configuration after a single-step change, as the core applies it (for readers of a log). */
export const applyConfChange = ProgressTracker.applyChange;
export { NONE } from './types.js';
export type {
  NodeId,
  Entry,
  EntryType,
  ConfState,
  ConfChange,
  HardState,
  SoftState,
  Role,
  Snapshot,
  SnapshotMetadata,
  ReadState,
  Message,
  MessageType,
  Ready,
  DropReason,
  ProposeResult,
  ProgressState,
  ProgressStatus,
  Status,
} from './types.js';
