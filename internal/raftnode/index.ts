// internal/raftnode: the Raft driver. It owns everything the pure core (internal/raft) leaves out:
// the durable log (raft.db), timers, the transport between nodes, applying committed entries to a
// state machine, proposals with results, linearizable read barriers and snapshots.
// Imports internal/raft, internal/storage, internal/api and internal/util only.
export { SqliteLogStorage, type PersistBatch, type SqliteLogStorageOptions } from './log-store.js';
export { RaftNode, type RaftNodeOptions, type RaftNodeStatus, type RaftNodeLogger, type ReplicatedStateMachine, type CommandCodec } from './node.js';
export { RaftNodeError, isRaftNodeError, type RaftNodeErrorCode } from './errors.js';
export { MemoryNetwork } from './memory-transport.js';
export { encodeFrame, decodeFrame, FrameKind, type Transport, type FrameHandler, type Frame } from './transport.js';
export { ByteReader, ByteWriter, CodecError } from './codec.js';
export { WsTransport, registerRaftTransport, listenRaftPeers, peerNodeId, nodeCommonName, NODE_GROUP, RAFT_PATH, type WsTransportOptions } from './ws-transport.js';
export { RaftEngine, type EngineHost, type EngineLink, type EngineStatus, type EngineStats, type RolesOptions } from './engine.js';
export type { WorkerEngineOptions } from './worker-engine.js';
export { nextRoleChange, desiredVoters, type ClusterView, type RolesPolicy } from './roles.js';
