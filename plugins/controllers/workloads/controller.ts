import { isApiError, type KubeObject } from '../../../internal/api/index.js';
import { type ResourceRef, WorkQueue, runWorkers } from '../../../internal/client/index.js';
import type { PluginContext } from '../../../internal/plugin/index.js';
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
  /** Reconciles one primary key ("ns/name"); returns ms after which to look again, if any. */
  sync(key: string): Promise<number | undefined>;
  /** The primary was deleted (drop expectations). */
  forget?(key: string): void;
}

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
  const primary = ctx.informers.informer(opts.primary);
  primary.addEventHandler({
    onAdd: (o) => queue.add(keyOf(o)),
    onUpdate: (_o, n) => queue.add(keyOf(n)),
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
      if (ownerKey) queue.add(ownerKey);
      const oldRef = old && controllerOf(old);
      if (oldRef && oldRef.uid !== ref?.uid && oldRef.kind === rel.ownerKind) queue.add(`${obj.metadata.namespace ?? ''}/${oldRef.name}`);
      if (!ref && rel.orphans) for (const p of primary.lister.list(obj.metadata.namespace)) queue.add(keyOf(p));
      for (const k of rel.extraKeys?.(obj) ?? []) queue.add(k);
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
