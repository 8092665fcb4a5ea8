import { parseLabelSelector, type KubeObject, type LabelQuery } from '../api/index.js';

/** An index function: the index values an object is filed under (none = not indexed). */
export type IndexFunc = (obj: KubeObject) => string[];

/** "namespace/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function objectKeyOf(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Splits a key made by objectKeyOf. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const NAMESPACE_INDEX = 'namespace';
export const OWNER_UID_INDEX = 'ownerUid';

export const byNamespace: IndexFunc = (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);
/** Every owner's uid: dependents of an owner are byIndex(OWNER_UID_INDEX, owner.metadata.uid). */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
/** The value of one label ("" index values are kept: a label may be set to ""). */
export const byLabel =
  (label: string): IndexFunc =>
  (obj) => {
    const v = obj.metadata.labels?.[label];
    return v === undefined ? [] : [v];
  };

/** Read access to an informer's cache. Objects are shared with the cache: never mutate them. */
export interface Lister {
  get(namespace: string | undefined, name: string): KubeObject | undefined;
  /** Objects of one namespace (all when undefined), optionally filtered by a label selector. */
  list(namespace?: string, selector?: LabelQuery | string): KubeObject[];
  byIndex(index: string, value: string): KubeObject[];
  keys(): string[];
}

/** A keyed object cache with secondary indices (client-go's thread-safe store + indexer). */
export class Indexer implements Lister {
  private readonly items = new Map<string, KubeObject>();
  private readonly funcs = new Map<string, IndexFunc>([[NAMESPACE_INDEX, byNamespace]]);
  private readonly indices = new Map<string, Map<string, Set<string>>>([[NAMESPACE_INDEX, new Map()]]);

  addIndex(name: string, fn: IndexFunc): void {
    if (this.funcs.has(name)) return;
    this.funcs.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) file(index, fn(obj), key);
  }

  set(key: string, obj: KubeObject): KubeObject | undefined {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.funcs) file(this.indices.get(name)!, fn(obj), key);
    return old;
  }

  delete(key: string): KubeObject | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  list(namespace?: string, selector?: LabelQuery | string): KubeObject[] {
    const q = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
    const all = namespace === undefined ? [...this.items.values()] : this.byIndex(NAMESPACE_INDEX, namespace);
    return q && !q.empty ? all.filter((o) => q.matches(o.metadata.labels ?? {})) : all;
  }

  byIndex(index: string, value: string): KubeObject[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`no index named ${index}`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  entries(): IterableIterator<[string, KubeObject]> {
    return this.items.entries();
  }

  get size(): number {
    return this.items.size;
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const [name, fn] of this.funcs) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }
}

function file(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) {
    let set = index.get(v);
    if (!set) index.set(v, (set = new Set()));
    set.add(key);
  }
}
