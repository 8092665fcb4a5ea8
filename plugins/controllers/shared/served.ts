import type { ServedResource } from './resources.js';

/**
 * The resources the API serves, as the controllers that act on every resource (namespace
 * deletion, garbage collection) see them. The composition root adapts the registry's catalog;
 * `onChange` fires when CustomResourceDefinitions change the set.
 */
export interface ServedResources {
  list(): ServedResource[];
  onChange(listener: () => void): () => void;
}
