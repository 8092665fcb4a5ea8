import type { ResourceCatalog } from './request.js';
import type { ResourceDefinition } from './definition.js';

/** A catalog the registry can change at run time (CRDs come and go). */
export interface MutableCatalog extends ResourceCatalog {
  /** Adds or replaces definitions (matched by group, version, plural); notifies listeners once. */
  add(defs: ResourceDefinition[]): void;
  /** Removes the definitions matching (group, version, plural); notifies listeners once. */
  remove(keys: { group: string; version: string; plural: string }[]): void;
}

const keyOf = (group: string, version: string, plural: string) => `${group}/${version}/${plural}`;

/**
 * The set of served resources. Order is stable: built-ins in the order given, then additions in
 * the order they arrived (a replaced definition keeps its place), which keeps discovery stable.
 */
export function createCatalog(definitions: ResourceDefinition[] = []): MutableCatalog {
  const byKey = new Map<string, ResourceDefinition>();
  const listeners = new Set<() => void>();
  let snapshot: ResourceDefinition[] | undefined;
  const put = (d: ResourceDefinition) => byKey.set(keyOf(d.group, d.version, d.plural), d);
  definitions.forEach(put);
  const notify = () => {
    snapshot = undefined;
    for (const l of [...listeners]) l();
  };
  return {
    definitions: () => (snapshot ??= [...byKey.values()]),
    lookup: (group, version, resource) => byKey.get(keyOf(group, version, resource)),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    add(defs) {
      if (defs.length === 0) return;
      defs.forEach(put);
      notify();
    },
    remove(keys) {
      let changed = false;
      for (const k of keys) changed = byKey.delete(keyOf(k.group, k.version, k.plural)) || changed;
      if (changed) notify();
    },
  };
}
