// internal/raftnode: the Raft driver. It owns everything the pure core (internal/raft) leaves out:
// the durable log (raft.db), timers, the transport between nodes, applying committed entries to a
// state machine, proposals with results, linearizable read barriers and snapshots.
// Imports internal/raft, internal/storage, internal/api and internal/util only.
export { SqliteLogStorage, type PersistBatch, type SqliteLogStorageOptions } from './log-store.js';
