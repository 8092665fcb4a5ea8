// internal/backends: the Backend implementations (memory, sqlite; raftsqlite and etcd later).
// Imports only internal/storage and internal/util.
export * from './memory/index.js';
export * from './sqlite/index.js';
