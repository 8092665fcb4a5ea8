import { WorkQueue, type ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { resourcesSupporting } from '../shared/resources.js';
import type { ServedResources } from '../shared/served.js';
import { decide, invalidOwnerMessage, removeFinalizerPatch, removeOwnerRefsPatch, unblockOwnerRefsPatch, type OwnerState } from './decide.js';
import { FOREGROUND, ORPHAN, deletingDependents, hasFinalizer } from './finalizers.js';
import { OwnerGraph, type GraphNode, type Work } from './graph.js';
import { kindIndex, ownerState } from './owners.js';

/**
 * The garbage collector: watches every served resource that can be listed, watched and deleted
 * (custom resources as their CRDs appear), keeps the ownerReferences graph, and deletes objects
 * whose owners are all gone, in the background, the foreground (foregroundDeletion finalizer,
 * blockOwnerDeletion) or orphaning (orphan finalizer) as their deletion asked.
 */
export function garbageCollectorPlugin(served: ServedResources): Plugin {
  return controller('garbagecollector', 'generic-garbage-collector', async (ctx) => {
    const graph = new OwnerGraph();
    const toDelete = new WorkQueue<string>({ clock: ctx.clock });
    const toOrphan = new WorkQueue<string>({ clock: ctx.clock });
    const apply = (w: Work) => {
      w.attemptToDelete.forEach((u) => toDelete.add(u));
      w.attemptToOrphan.forEach((u) => toOrphan.add(u));
    };
    let kinds = kindIndex(served.list());
    /** Handler removers by group/resource; a resource no longer served (deleted CRD) is let go. */
    const monitored = new Map<string, () => void>();
    const monitor = () => {
      const all = served.list();
      kinds = kindIndex(all);
      const wanted = resourcesSupporting(all, ['list', 'watch', 'delete']);
      const keys = new Set(wanted.map((r) => `${r.group}/${r.resource}`));
      for (const [key, remove] of monitored) if (!keys.has(key)) (remove(), monitored.delete(key));
      for (const r of wanted) {
        const key = `${r.group}/${r.resource}`;
        if (monitored.has(key)) continue;
        const at: ResourceRef = { group: r.group, version: r.version, resource: r.resource };
        monitored.set(
          key,
          ctx.informers.informer(at).addEventHandler({
            onAdd: (o) => apply(graph.upsert(o, at)),
            onUpdate: (_, o) => apply(graph.upsert(o, at)),
            onDelete: (o) => apply(graph.remove(o.metadata.uid!)),
          }),
        );
      }
    };
    monitor();
    const unsubscribe = served.onChange(monitor);
    ctx.signal.addEventListener('abort', unsubscribe, { once: true });
    // Both wait for the first lists: a foreground deletion must see every dependent before it decides.
    await Promise.all([
      reconcileQueue(ctx, toDelete, 4, (uid) => attemptToDelete(ctx, graph, () => kinds, uid, apply, toDelete)),
      reconcileQueue(ctx, toOrphan, 2, (uid) => attemptToOrphan(ctx, graph, uid)),
    ]);
  });
}

async function latest(ctx: PluginContext, node: GraphNode) {
  const o = await tolerate(() => ctx.client.get(node.ref, node.ref.namespace, node.ref.name), 'NotFound');
  return o && o.metadata.uid === node.ref.uid ? o : undefined;
}

async function attemptToDelete(
  ctx: PluginContext,
  graph: OwnerGraph,
  kinds: () => ReturnType<typeof kindIndex>,
  uid: string,
  apply: (w: Work) => void,
  queue: WorkQueue<string>,
): Promise<void> {
  const node = graph.node(uid);
  if (!node || (node.beingDeleted && !node.deletingDependents)) return;
  const item = await latest(ctx, node);
  // Gone (or replaced by a namesake) while the graph still had it: treat it as deleted.
  if (!item) return apply(graph.remove(uid));
  const { ref } = node;
  const patch = (p: unknown) => ctx.client.patch(ref, ref.namespace, ref.name, 'merge', p);
  if (deletingDependents(item)) {
    const blocking = graph.blockingDependents(uid);
    if (blocking.length === 0) {
      await tolerate(() => patch(removeFinalizerPatch(item, FOREGROUND)), 'NotFound');
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) queue.add(d.ref.uid);
    return;
  }
  const owners = new Map<string, OwnerState>();
  for (const o of item.metadata.ownerReferences ?? []) owners.set(o.uid, await ownerState(ctx.client, kinds(), o, item));
  const dependents = graph.dependents(uid);
  const action = decide(item, owners, dependents.length > 0, dependents.some((d) => d.deletingDependents));
  switch (action.action) {
    case 'none':
      for (const o of action.invalid ?? []) ctx.events.event(item, 'Warning', 'OwnerRefInvalidNamespace', 'GarbageCollect', invalidOwnerMessage(o, item.metadata.namespace));
      return;
    case 'retry':
      throw new Error(`owner kind of ${ref.resource} ${ref.namespace ?? ''}/${ref.name} is not served`);
    case 'remove-owner-refs':
      await tolerate(() => patch(removeOwnerRefsPatch(item, action.uids)), 'NotFound');
      return;
    case 'delete': {
      const unblock = action.unblockOwnerRefs ? unblockOwnerRefsPatch(item) : undefined;
      if (unblock) await tolerate(() => patch(unblock), 'NotFound');
      // Conflict: the uid precondition failed, a namesake replaced the item: nothing to collect.
      await tolerate(() => ctx.client.delete(ref, ref.namespace, ref.name, { propagationPolicy: action.policy, preconditions: { uid } }), 'NotFound', 'Conflict');
    }
  }
}

/** Releases the dependents of an owner deleted with Orphan, then lets the owner go. */
async function attemptToOrphan(ctx: PluginContext, graph: OwnerGraph, uid: string): Promise<void> {
  const node = graph.node(uid);
  if (!node) return;
  for (const d of graph.dependents(uid)) {
    const dep = await latest(ctx, d);
    if (!dep || !(dep.metadata.ownerReferences ?? []).some((o) => o.uid === uid)) continue;
    await tolerate(() => ctx.client.patch(d.ref, d.ref.namespace, d.ref.name, 'merge', removeOwnerRefsPatch(dep, [uid])), 'NotFound');
  }
  const owner = await latest(ctx, node);
  if (!owner || !hasFinalizer(owner, ORPHAN)) return;
  await tolerate(() => ctx.client.patch(node.ref, node.ref.namespace, node.ref.name, 'merge', removeFinalizerPatch(owner, ORPHAN)), 'NotFound');
}
