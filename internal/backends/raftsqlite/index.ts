export { createRaftSqliteBackend, type RaftSqliteBackend, type RaftSqliteBackendOptions, type RaftTuning } from './raftsqlite-backend.js';
export { opCodec } from './op-codec.js';
