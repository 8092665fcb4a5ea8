// internal/storage: the Backend interface (etcd's data model), the StateMachine write path of the
// embedded stores, ObjectStore (decoded objects over a Backend) and the watch cache.
// Imports only internal/api and internal/util.
export * from './errors.js';
export * from './backend.js';
export * from './state-machine.js';
export * from './object-store.js';
export * from './keys.js';
export * from './read-revision.js';
export * from './watch-hub.js';
export * from './codec.js';
export { createObjectStore, type ObjectStoreOptions } from './object-store-impl.js';
export { encryptingCodec, parseEncryptionConfig, type EncryptionConfig } from './encryption.js';
export { CONTINUE_EXPIRED_MESSAGE } from './object-store-list.js';
export { INITIAL_EVENTS_END_ANNOTATION } from './object-store-events.js';
export { createWatchCache, type WatchCache, type WatchCacheOptions } from './watchcache/watch-cache.js';
export { createWatchCacheRouter, type WatchCacheRouter, type WatchCacheRouterOptions } from './watchcache/watch-cache-router.js';
