import { ApiError, labelSelectorAsQuery, type KubeObject, type LabelSelector } from '../api/index.js';

type Obj = Record<string, any>;

/** Upstream's cap on evictions the disruption controller has not confirmed yet. */
const MAX_DISRUPTED_PODS = 2000;

/** What an eviction does: delete at once, or first take one disruption from this budget. */
export type EvictionDecision = { kind: 'delete' } | { kind: 'consume'; pdb: KubeObject };

function isReady(pod: KubeObject): boolean {
  return ((pod.status as Obj)?.conditions as Obj[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function matches(pdb: KubeObject, pod: KubeObject): boolean {
  const sel = (pdb.spec as Obj | undefined)?.selector as LabelSelector | undefined;
  try {
    // A PDB with an empty selector matches no pods in policy/v1 eviction (upstream treats it so).
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
    return labelSelectorAsQuery(sel).matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/**
 * The PodDisruptionBudget check of pods/eviction, as upstream's eviction REST does: terminal,
 * pending and terminating pods go at once; a pod covered by one budget consumes one allowed
 * disruption or is refused with 429 TooManyRequests; more than one budget is a 500.
 */
export function decideEviction(pod: KubeObject, pdbs: KubeObject[]): EvictionDecision {
  const phase = (pod.status as Obj | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) return { kind: 'delete' };
  const covering = pdbs.filter((b) => matches(b, pod));
  if (covering.length === 0) return { kind: 'delete' };
  if (covering.length > 1) throw new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = covering[0]!;
  const status: Obj = (pdb.status as Obj | undefined) ?? {};
  const spec: Obj = (pdb.spec as Obj | undefined) ?? {};
  const refuse = (cause: string) =>
    new ApiError('TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", { details: { causes: [{ reason: 'DisruptionBudget', message: cause }] } });
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw refuse(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
  const allowed: number = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw new ApiError('Forbidden', 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw new ApiError('Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (!isReady(pod)) {
    // unhealthyPodEvictionPolicy: an unready pod does not count as healthy, so evicting it never
    // lowers the budget below what it has (IfHealthyBudget: only while the budget is met).
    const always = spec.unhealthyPodEvictionPolicy === 'AlwaysAllow';
    if (always || (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0)) return { kind: 'delete' };
  }
  if (allowed === 0) throw refuse(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  return { kind: 'consume', pdb };
}

/** The budget after one eviction: one disruption fewer, the pod noted in disruptedPods. */
export function consumeDisruption(pdb: KubeObject, podName: string, nowIso: string): KubeObject {
  const status: Obj = { ...((pdb.status as Obj | undefined) ?? {}) };
  status.disruptionsAllowed = (status.disruptionsAllowed ?? 0) - 1;
  status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: nowIso };
  return { ...pdb, status };
}
