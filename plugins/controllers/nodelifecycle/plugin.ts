import { isApiError, type KubeObject } from '../../../internal/api/index.js';
import type { ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { evictionTime, isStale, observe, reconcileTaints, TokenBucket, unknownConditions, wantsNoExecute, type Observation, type Taint } from './health.js';
import { pause } from '../../shared/pause.js';

const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const BY_NODE = 'spec.nodeName';

export interface NodeLifecycleOptions {
  /** A node whose Lease has not changed for this long is Unknown (--node-monitor-grace-period, 40 s). */
  gracePeriodMs?: number;
  /** How often nodes are checked (5 s). */
  monitorPeriodMs?: number;
  /** New NoExecute taints per second (--node-eviction-rate, 0.1). */
  evictionRate?: number;
}

/** Upstream's node lifecycle controller with taint-based eviction, leader-elected with the other controllers. */
export function nodeLifecyclePlugin(opts: NodeLifecycleOptions = {}): Plugin {
  return { name: 'nodelifecycle', election: 'leader', lease: 'kube-controller-manager', user: 'system:serviceaccount:kube-system:node-controller', run: (ctx) => run(ctx, opts) };
}

type Obj = Record<string, any>;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function run(ctx: PluginContext, opts: NodeLifecycleOptions): Promise<void> {
  const { informers, signal, clock, client } = ctx;
  const nodes = informers.informer(NODES);
  const leases = informers.informer(LEASES, 'kube-node-lease');
  const pods = informers.informer(PODS);
  pods.addIndexer(BY_NODE, (p) => [((p.spec as Obj | undefined)?.nodeName as string | undefined) ?? ''].filter(Boolean));
  if (!(await informers.waitForCacheSync(signal))) return;
  const grace = opts.gracePeriodMs ?? 40_000;
  const period = opts.monitorPeriodMs ?? 5000;
  const limiter = new TokenBucket(opts.evictionRate ?? 0.1, 1, clock.now());
  const seen = new Map<string, Observation>();
  const deleting = new Set<string>();
  while (!signal.aborted) {
    const now = clock.now();
    const all = nodes.lister.list();
    const names = new Set(all.map((n) => n.metadata.name ?? ''));
    for (const name of seen.keys()) if (!names.has(name)) seen.delete(name);
    const stale = new Set<string>();
    for (const node of all) {
      const name = node.metadata.name ?? '';
      const o = observe(seen.get(name), node, leases.lister.get('kube-node-lease', name), now);
      seen.set(name, o);
      if (isStale(o, now, grace)) stale.add(name);
    }
    // Every node silent at once is the control plane's problem, not the nodes': mark, never evict (upstream).
    const allDown = all.length > 0 && stale.size === all.length;
    for (const node of all) {
      const name = node.metadata.name ?? '';
      await reconcileNode(ctx, node, stale.has(name), allDown, limiter).catch((err) => {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) ctx.log.warn({ node: name, err: String(err) }, 'node update failed');
      });
      evictPods(ctx, nodes.lister.get(undefined, name) ?? node, () => pods.lister.byIndex(BY_NODE, name), deleting);
    }
    await pause(ctx, period);
  }
}

async function reconcileNode(ctx: PluginContext, node: KubeObject, stale: boolean, allDown: boolean, limiter: TokenBucket): Promise<void> {
  const now = ctx.clock.now();
  const name = node.metadata.name ?? '';
  let cur = node;
  if (stale) {
    const conditions = unknownConditions(cur, iso(now));
    if (conditions) {
      cur = await ctx.client.patch(NODES, undefined, name, 'strategic', { status: { conditions } }, { subresource: 'status' });
      ctx.events.event(cur, 'Normal', 'NodeNotReady', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    }
  }
  const allow = wantsNoExecute(cur) && !allDown && limiter.take(now);
  const taints = reconcileTaints(cur, iso(now), allow);
  if (!taints) return;
  await ctx.client.update(NODES, undefined, { ...cur, spec: { ...(cur.spec as Obj), taints } });
}

/**
 * The taint eviction manager: deletes pods whose NoExecute tolerations ran out, first marking them
 * with the DisruptionTarget condition (reason DeletionByTaintManager) as upstream's does.
 */
function evictPods(ctx: PluginContext, node: KubeObject, podsOf: () => KubeObject[], deleting: Set<string>): void {
  const taints = ((node.spec as Obj | undefined)?.taints as Taint[] | undefined) ?? [];
  // Read the node's pods only when it has a NoExecute taint: every node's every pod each period
  // (100,000 pods on 1,000 nodes) was one long turn of the event loop.
  if (!taints.some((t) => t.effect === 'NoExecute')) return;
  const now = ctx.clock.now();
  for (const pod of podsOf()) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = evictionTime(pod, taints, now);
    if (at === undefined || (at !== 'now' && at > now)) continue;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (deleting.has(key)) continue;
    deleting.add(key);
    ctx.events.event(pod, 'Normal', 'TaintManagerEviction', 'Deleting', `Marking for deletion Pod ${key}`);
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: iso(now) };
    ctx.client
      .patch(PODS, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' })
      .catch((err) => {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) ctx.log.debug({ pod: key, err: String(err) }, 'could not mark the pod DisruptionTarget');
      })
      .then(() => ctx.client.delete(PODS, pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } }))
      .catch((err) => {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) ctx.log.warn({ pod: key, err: String(err) }, 'eviction failed');
      })
      .finally(() => deleting.delete(key));
  }
}
