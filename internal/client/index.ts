// internal/client: the in-process client over the registry's verb pipeline (and, later, informers).
// Imports internal/registry, internal/api and internal/util only.
export * from './client.js';
