import type { KubeObject } from '../../api/index.js';
import type { MutableCatalog } from '../catalog.js';
import { crdToDefinitions } from './custom-resources.js';

export interface CrdControllerOptions {
  catalog: MutableCatalog;
}

/**
 * Keeps the catalog in step with the CustomResourceDefinitions this replica learns of: a CRD's
 * served versions become definitions at once, a changed CRD replaces them, a deleted one removes
 * them. It is fed by the registry's own writes (so a CRD is served before its create returns) and
 * by the `crd` plugin's informer (writes made through other replicas); the plugin also deletes a
 * terminating CRD's custom resources before dropping its cleanup finalizer.
 */
export class CrdController {
  private readonly applied = new Map<string, { spec: string; rv: number; keys: { group: string; version: string; plural: string }[] }>();

  constructor(private readonly opts: CrdControllerOptions) {}

  /** Applies one CRD's state to the catalog (idempotent; older states than the applied one are ignored). */
  sync(crd: KubeObject, deleted = false): void {
    const name = crd.metadata.name ?? '';
    const rv = Number(crd.metadata.resourceVersion ?? 0);
    const prev = this.applied.get(name);
    if (prev && rv && rv < prev.rv) return;
    if (deleted) {
      if (prev) this.opts.catalog.remove(prev.keys);
      this.applied.delete(name);
      return;
    }
    const spec = JSON.stringify(crd.spec);
    if (!prev || prev.spec !== spec) {
      const defs = crdToDefinitions(crd);
      const keys = defs.map((d) => ({ group: d.group, version: d.version, plural: d.plural }));
      const stale = (prev?.keys ?? []).filter((k) => !keys.some((n) => n.version === k.version && n.plural === k.plural && n.group === k.group));
      if (stale.length) this.opts.catalog.remove(stale);
      this.opts.catalog.add(defs);
      this.applied.set(name, { spec, rv, keys });
    } else {
      prev.rv = rv;
    }
  }

  /** The CRDs applied, by name (for a relist: the ones not listed any more are gone). */
  names(): string[] {
    return [...this.applied.keys()];
  }
}
