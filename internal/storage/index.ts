// internal/storage: the Backend interface (etcd's data model), the StateMachine write path of the
// embedded stores, ObjectStore (decoded objects over a Backend) and the watch cache.
// Imports only internal/api and internal/util.
export * from './errors.js';
export * from './backend.js';
export * from './state-machine.js';
export * from './object-store.js';
