import { isApiError, labelSelectorAsQuery, type KubeObject, type LabelSelector } from '../../../internal/api/index.js';
import { runWorkers, WorkQueue, type Informer, type ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { DELETION_TIMEOUT_MS, pdbStatus } from './status.js';

const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const PDBS: ResourceRef = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
/** Controllers whose replicas give a budget's expected pod count (upstream's finders). */
const SCALED: Record<string, ResourceRef> = {
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
};

/** The disruption controller: keeps PodDisruptionBudgets' status current for pods/eviction. */
export function disruptionPlugin(): Plugin {
  return { name: 'disruption', election: 'leader', lease: 'kube-controller-manager', user: 'system:serviceaccount:kube-system:disruption-controller', run };
}

type Obj = Record<string, any>;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function selects(pdb: KubeObject, pod: KubeObject): boolean {
  try {
    return labelSelectorAsQuery((pdb.spec as Obj | undefined)?.selector as LabelSelector | undefined).matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

async function run(ctx: PluginContext): Promise<void> {
  const { informers, signal } = ctx;
  const pdbs = informers.informer(PDBS);
  const pods = informers.informer(PODS);
  const scaled = Object.fromEntries(Object.entries(SCALED).map(([k, ref]) => [k, informers.informer(ref)])) as Record<string, Informer>;
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  const podChanged = (p: KubeObject) => {
    for (const b of pdbs.lister.list(p.metadata.namespace)) if (selects(b, p)) queue.add(key(b));
  };
  const off = [
    pdbs.addEventHandler({ onAdd: (b) => queue.add(key(b)), onUpdate: (_o, b) => queue.add(key(b)) }),
    pods.addEventHandler({ onAdd: podChanged, onUpdate: (o, p) => (podChanged(o), podChanged(p)), onDelete: podChanged }),
  ];
  try {
    if (!(await informers.waitForCacheSync(signal))) return;
    await runWorkers(queue, 2, signal, async (k) => {
      const [ns, name] = k.split('/') as [string, string];
      const pdb = pdbs.lister.get(ns, name);
      if (!pdb) return;
      const selected = pods.lister.list(ns).filter((p) => selects(pdb, p));
      const now = ctx.clock.now();
      const status = pdbStatus(pdb, selected, expectedScale(selected, scaled), now, iso(now));
      if (status.disruptedPods) queue.addAfter(k, DELETION_TIMEOUT_MS);
      if (JSON.stringify(status) === JSON.stringify(pdb.status)) return;
      try {
        await ctx.client.update(PDBS, ns, { ...pdb, status }, { subresource: 'status' });
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    });
  } finally {
    for (const f of off) f();
  }
}

/**
 * The replicas of the pods' controllers (a ReplicaSet owned by a Deployment counts the Deployment's),
 * each controller once; undefined when a pod has no controller with a scale.
 */
function expectedScale(pods: KubeObject[], scaled: Record<string, Informer>): number | undefined {
  const seen = new Set<string>();
  let total = 0;
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref || !scaled[ref.kind]) return undefined;
    let owner = scaled[ref.kind]!.lister.get(pod.metadata.namespace, ref.name);
    if (!owner) return undefined;
    const parent = ref.kind === 'ReplicaSet' ? owner.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment') : undefined;
    if (parent) owner = scaled.Deployment!.lister.get(pod.metadata.namespace, parent.name) ?? owner;
    const uid = owner.metadata.uid ?? '';
    if (seen.has(uid)) continue;
    seen.add(uid);
    total += ((owner.spec as Obj | undefined)?.replicas as number | undefined) ?? 1;
  }
  return total;
}
