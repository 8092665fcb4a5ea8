// internal/raftnode: the Raft driver. It owns everything the pure core (internal/raft) leaves out:
// the durable log (raft.db), timers, the transport between nodes, applying committed entries to a
// state machine, proposals with results, linearizable read barriers, snapshots, membership and roles.
// Imports internal/raft, internal/storage, internal/api and internal/util only.
//
// Two halves:
// - RaftEngine (engine.ts): core + SqliteLogStorage (fsync before send) + Transport + tick timer +
//   snapshot files (chunked, checksummed streams) + the leader's RoleManager. No application queries,
//   so it can run on a worker thread (WorkerEngine/engine-worker.ts, own mTLS peer listener).
// - RaftNode (node.ts): what the application uses: propose(cmd) → result when applied here (group
//   commit; batch id in the entry envelope), readBarrier() (ReadIndex), changeMembership, status, stop
//   (leader hands over first). It applies committed entries to the ReplicatedStateMachine, one
//   transaction per entry, on the thread that owns the state.
// Transports: WsTransport (websocket, mutual TLS with node certificates; server side either the API
// port via registerRaftTransport or its own port via listenRaftPeers) and MemoryNetwork (tests).
export { SqliteLogStorage, type PersistBatch, type SqliteLogStorageOptions } from './log-store.js';
export { RaftNode, type RaftNodeOptions, type RaftNodeStatus, type RaftNodeLogger, type ReplicatedStateMachine, type CommandCodec } from './node.js';
export { RaftNodeError, isRaftNodeError, type RaftNodeErrorCode } from './errors.js';
export { MemoryNetwork } from './memory-transport.js';
export { encodeFrame, decodeFrame, FrameKind, type Transport, type FrameHandler, type PeerLostHandler, type Frame } from './transport.js';
export { ByteReader, ByteWriter, CodecError } from './codec.js';
export { WsTransport, CLUSTER_ID_HEADER, clusterIdMismatch, registerRaftTransport, listenRaftPeers, peerNodeId, nodeCommonName, NODE_GROUP, RAFT_PATH, type WsTransportOptions } from './ws-transport.js';
export { RaftEngine, type EngineHost, type EngineLink, type EngineStatus, type EngineStats, type RolesOptions } from './engine.js';
export type { WorkerEngineOptions } from './worker-engine.js';
export { nextRoleChange, desiredVoters, joinRole, type ClusterView, type RolesPolicy, type RoleChange } from './roles.js';
export { encodeMemberContext, decodeMemberContext, type MemberContext } from './membership.js';
export { inspectRaftLog, recoverSoloLog, seedRaftLog, soloChanges, type RaftLogInfo, type SoloRecovery, type SeedOptions } from './recover.js';
