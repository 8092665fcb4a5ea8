// internal/backends: the Backend implementations (memory, sqlite, raftsqlite; remote = a spare's
// forwarding client and the member's service for it; etcd = an external etcd cluster).
// Imports internal/storage, internal/raftnode, internal/raft and internal/util.
export * from './memory/index.js';
export * from './sqlite/index.js';
export * from './raftsqlite/index.js';
export * from './remote/index.js';
export * from './etcd/index.js';
