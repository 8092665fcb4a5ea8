import type { ServedResources } from '../../plugins/index.js';
import { STANDARD_VERBS, type ResourceCatalog } from '../registry/index.js';

/** The registry's catalog (read on each call) as the housekeeping controllers see served resources. */
export function servedResources(catalog: () => ResourceCatalog): ServedResources {
  return {
    list: () =>
      catalog()
        .definitions()
        .map((d) => ({ group: d.group, version: d.version, resource: d.plural, kind: d.kind, namespaced: d.namespaced, verbs: d.verbs ?? STANDARD_VERBS })),
    onChange: (listener) => catalog().onChange(listener),
  };
}
