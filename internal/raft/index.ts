// internal/raft: the pure Raft consensus core (etcd-raft RawNode shape). Imports only internal/util.
// No I/O, timers, Date.now, Math.random or Promises here: the driver (internal/raftnode) and the
// cluster simulator (test/cluster) own time, randomness, transport and durable storage.
export type { Config } from './config.js';
export type { RaftCore, RaftFactory } from './core.js';
export { createRaft } from './raw-node.js';
export { LogStorageError, isLogStorageError, entriesSize, limitSize } from './storage.js';
export type { LogStorage, LogStorageErrorCode, InitialState } from './storage.js';
export { MemoryLogStorage } from './memory-storage.js';
export { encodeConfChange, decodeConfChange } from './conf-change.js';
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
