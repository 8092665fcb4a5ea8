// internal/backends: the Backend implementations (memory, sqlite, raftsqlite; etcd later).
// Imports internal/storage, internal/raftnode, internal/raft and internal/util.
export * from './memory/index.js';
export * from './sqlite/index.js';
export * from './raftsqlite/index.js';
