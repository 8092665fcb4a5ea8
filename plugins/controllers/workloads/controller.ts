import { isApiError, type KubeObject } from '../../../internal/api/index.js';
import { type ResourceRef, WorkQueue, runWorkers } from '../../../internal/client/index.js';
import type { PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { controllerOf } from './claim.js';

export const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
export const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments' };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs' };

export type EventKind = 'add' | 'update' | 'delete';

/** A resource whose changes wake the controller for the owner named in their controller reference. */
export interface Related {
  ref: ResourceRef;
  /** The owner kind whose key the object's controller reference gives. */
  ownerKind: string;
  /** Objects without a controller wake every primary of their namespace (they may be adopted). */
  orphans?: boolean;
  /** Sees every event first, with the owner's key (expectations bookkeeping). */
  observe?(kind: EventKind, obj: KubeObject, ownerKey: string | undefined, old?: KubeObject): void;
  /** Other keys to wake (e.g. a pod's ReplicaSet's Deployment). */
  extraKeys?(obj: KubeObject): string[];
}

export interface ControllerOptions {
  primary: ResourceRef;
  related: Related[];
  workers?: number;
  /**
   * Changes of related objects, and status-only changes of a primary, wake the primary after at most
   * this many ms instead of at once, so a burst of them costs one sync (upstream's Job controller
   * batches pod events the same way). A sync writes the primary's status, whose change would
   * otherwise start the next sync at once: a ReplicaSet of 1,000 pods being created was synced
   * back to back, each sync visiting all its pods. Spec, metadata and deletion changes still wake
   * it at once. Unset: every change at once.
   */
  batchMs?: number;
  /** Reconciles one primary key ("ns/name"); returns ms after which to look again, if any. */
  sync(key: string): Promise<number | undefined>;
  /** The primary was deleted (drop expectations). */
  forget?(key: string): void;
}

/** The batchMs of the replica and Deployment controllers: a tenth of a second per sync at most. */
export const SYNC_BATCH_MS = 100;

export const keyOf = (obj: KubeObject) => `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * Runs a controller until ctx.signal aborts: informers on the primary and related resources feed
 * one work queue of primary keys, and `workers` loops reconcile them (a failure retries with the
 * queue's per-key backoff; a requested delay re-adds the key later).
 */
export async function runController(ctx: PluginContext, opts: ControllerOptions): Promise<void> {
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const batch = opts.batchMs ?? 0;
  const soon = (key: string) => (batch > 0 ? queue.addAfter(key, batch) : queue.add(key));
  const primary = ctx.informers.informer(opts.primary);
  primary.addEventHandler({
    onAdd: (o) => queue.add(keyOf(o)),
    onUpdate: (o, n) => (o !== n && statusOnlyChange(o, n) ? soon(keyOf(n)) : queue.add(keyOf(n))),
    onDelete: (o) => {
      opts.forget?.(keyOf(o));
      queue.add(keyOf(o));
    },
  });
  for (const rel of opts.related) {
    const informer = ctx.informers.informer(rel.ref);
    const wake = (kind: EventKind, obj: KubeObject, old?: KubeObject) => {
      const ref = controllerOf(obj);
      const ownerKey = ref && ref.kind === rel.ownerKind ? `${obj.metadata.namespace ?? ''}/${ref.name}` : undefined;
      rel.observe?.(kind, obj, ownerKey, old);
      if (ownerKey) soon(ownerKey);
      const oldRef = old && controllerOf(old);
      if (oldRef && oldRef.uid !== ref?.uid && oldRef.kind === rel.ownerKind) soon(`${obj.metadata.namespace ?? ''}/${oldRef.name}`);
      if (!ref && rel.orphans) for (const p of primary.lister.list(obj.metadata.namespace)) soon(keyOf(p));
      for (const k of rel.extraKeys?.(obj) ?? []) soon(k);
    };
    informer.addEventHandler({
      onAdd: (o) => wake('add', o),
      onUpdate: (o, n) => {
        if (o !== n) wake('update', n, o);
      },
      onDelete: (o) => wake('delete', o),
    });
  }
  await ctx.informers.waitForCacheSync(ctx.signal);
  await runWorkers(
    queue,
    opts.workers ?? 5,
    ctx.signal,
    async (key) => {
      const after = await opts.sync(key);
      if (after !== undefined && after >= 0) queue.addAfter(key, after);
    },
    (key, err) => {
      if (!isApiError(err, 'Conflict')) ctx.log.warn({ key, err: String(err) }, 'sync failed');
    },
  );
}

/**
 * Whether an update of a primary changed nothing a sync decides on but its status: same generation
 * (spec), labels, annotations, owners, finalizers and deletion. (resourceVersion and managedFields
 * change with every write.)
 */
export function statusOnlyChange(old: KubeObject, cur: KubeObject): boolean {
  const a = old.metadata;
  const b = cur.metadata;
  return (
    a.generation !== undefined &&
    a.generation === b.generation &&
    a.deletionTimestamp === b.deletionTimestamp &&
    jsonEqual(a.labels, b.labels) &&
    jsonEqual(a.annotations, b.annotations) &&
    jsonEqual(a.ownerReferences, b.ownerReferences) &&
    jsonEqual(a.finalizers, b.finalizers)
  );
}

/** Runs a write, treating NotFound as done (the object went away meanwhile). */
export async function ignoreNotFound<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

export const nowIso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The pods of a replica-style controller (`ownerKind`): their events wake the owner, orphans wake
 * every owner of their namespace, and each create or deletion seen lowers the owner's expectations.
 */
export function ownedPods(ownerKind: string, expectations: { created(key: string): void; deleted(key: string, uid: string): void }): Related {
  return {
    ref: PODS,
    ownerKind,
    orphans: true,
    observe(kind, pod, key, old) {
      if (!key) return;
      if (kind === 'add') expectations.created(key);
      if (kind === 'delete' || (kind === 'update' && pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)) expectations.deleted(key, pod.metadata.uid!);
    },
  };
}
