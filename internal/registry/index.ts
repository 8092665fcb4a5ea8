// internal/registry: the generic Store, per-resource definitions and strategies, the verb pipeline
// (authorization, admission, defaulting, validation) shared by HTTP and the in-process client.
// Imports internal/storage, internal/api and internal/util only.
export * from './strategy.js';
export * from './definition.js';
export * from './request.js';
export * from './catalog.js';
export type { ResourceStore, StoreContext, WriteOutcome, DeleteOutcome } from './store/types.js';
