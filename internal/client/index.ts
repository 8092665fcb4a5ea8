// internal/client: the in-process client over the registry's verb pipeline, shared informers
// (indexers, listers, handlers), the rate-limited work queue, retryOnConflict and the event recorder.
// Imports internal/registry, internal/api and internal/util only.
export * from './client.js';
export * from './indexer.js';
export { SharedInformer, pause, type EventHandler, type InformerOptions } from './informer.js';
export { SharedInformerFactory, type Informer, type InformerSource, type SharedInformerFactoryOptions } from './factory.js';
export { WorkQueue, runWorkers, type WorkQueueOptions } from './workqueue.js';
export { retryOnConflict, DEFAULT_RETRY, type RetryBackoff } from './retry.js';
export { SPAM_FILTER_DEFAULTS, type SpamFilterOptions } from './event-spam.js';
export { createEventRecorder, microTime, EVENTS, SERIES_WINDOW_MS, type EventRecorder, type EventType } from './events.js';
export type { Handler, LeaseFence, UserInfo, ListParams, WatchParams, WriteParams, DeleteParams, PatchParams, PatchType } from '../registry/index.js';
