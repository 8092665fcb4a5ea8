import { isApiError, type KubeObject } from '../../api/index.js';
import { sleep, type Clock } from '../../util/index.js';
import type { MutableCatalog } from '../catalog.js';
import type { ResourceDefinition } from '../definition.js';
import { systemContext, type RegistryHandler } from '../handler.js';
import { crdDefinition } from './crd-definition.js';
import { crdToDefinitions } from './custom-resources.js';
import { CRD_CLEANUP_FINALIZER, type CrdSpec } from './types.js';

export interface CrdControllerOptions {
  catalog: MutableCatalog;
  handler: RegistryHandler;
  clock: Clock;
  /** Pause before a relist after the watch ended or failed. Default 1000 ms. */
  retryMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * Keeps the catalog in step with the stored CustomResourceDefinitions (every replica runs one):
 * a CRD's served versions become definitions at once, a changed CRD replaces them, a deleted one
 * removes them. A CRD being deleted first loses all its custom resources (the cleanup finalizer),
 * then its finalizer, and then itself.
 */
export class CrdController {
  private readonly applied = new Map<string, { spec: string; rv: number; keys: { group: string; version: string; plural: string }[] }>();
  private readonly cleaning = new Set<string>();

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
    if (crd.metadata.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) void this.cleanup(crd);
  }

  /** Lists and watches CRDs until the signal aborts; relists after any watch failure. */
  async run(signal: AbortSignal): Promise<void> {
    const store = this.opts.handler.storeFor(crdDefinition);
    while (!signal.aborted) {
      try {
        const ctx = systemContext(this.opts.clock);
        const list = await store.list(ctx, {});
        const present = new Set<string>();
        for (const item of list.items) {
          present.add(item.metadata.name ?? '');
          this.sync(item);
        }
        for (const name of [...this.applied.keys()]) if (!present.has(name)) this.sync({ metadata: { name } }, true);
        const events = await store.watch(ctx, { resourceVersion: list.metadata.resourceVersion }, signal);
        for await (const ev of events) {
          if (ev.type === 'ERROR') break;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.sync(ev.object);
          if (ev.type === 'DELETED') this.sync(ev.object, true);
        }
      } catch (err) {
        if (!signal.aborted) this.opts.log?.('crd controller: watch failed, relisting', err);
      }
      if (!signal.aborted) await sleep(this.opts.retryMs ?? 1000, signal).catch(() => undefined);
    }
  }

  /** Deletes every custom resource of a terminating CRD, then drops the cleanup finalizer. */
  private async cleanup(crd: KubeObject): Promise<void> {
    const name = crd.metadata.name ?? '';
    if (this.cleaning.has(name)) return;
    this.cleaning.add(name);
    try {
      const def = this.opts.catalog.lookup((crd.spec as CrdSpec).group, storageVersion(crd), (crd.spec as CrdSpec).names.plural) ?? anyServed(this.opts.catalog, crd);
      for (let round = 0; def; round++) {
        const store = this.opts.handler.storeFor(def);
        const ctx = systemContext(this.opts.clock);
        const left = await store.list(ctx, {});
        if (left.items.length === 0) break;
        for (const item of left.items) {
          if (item.metadata.deletionTimestamp) continue;
          await store.delete({ ...ctx, namespace: item.metadata.namespace }, item.metadata.name ?? '', {}).catch(ignoreNotFound);
        }
        // Custom resources with their own finalizers leave when their controllers let go.
        if (round > 0) await sleep(this.opts.retryMs ?? 1000);
      }
      await this.opts.handler
        .storeFor(crdDefinition)
        .mutate(systemContext(this.opts.clock), name, (cur) => {
          cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
          return cur;
        })
        .catch(ignoreNotFound);
      // Removing the last finalizer deleted the CRD; reflect it now rather than on the next event.
      const gone = await this.opts.handler
        .storeFor(crdDefinition)
        .get(systemContext(this.opts.clock), name)
        .then(() => false, (err: unknown) => isApiError(err, 'NotFound'));
      if (gone) this.sync({ metadata: { name } }, true);
    } catch (err) {
      this.opts.log?.(`crd controller: cleanup of ${name} failed`, err);
    } finally {
      this.cleaning.delete(name);
    }
  }
}

function storageVersion(crd: KubeObject): string {
  const spec = crd.spec as CrdSpec;
  return (spec.versions.find((v) => v.storage) ?? spec.versions[0]!).name;
}

function anyServed(catalog: MutableCatalog, crd: KubeObject): ResourceDefinition | undefined {
  const spec = crd.spec as CrdSpec;
  for (const v of spec.versions) {
    const def = catalog.lookup(spec.group, v.name, spec.names.plural);
    if (def) return def;
  }
  return undefined;
}

function ignoreNotFound(err: unknown): undefined {
  if (isApiError(err, 'NotFound')) return undefined;
  throw err;
}
