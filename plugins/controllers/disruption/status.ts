import type { KubeObject } from '../../../internal/api/index.js';

type Obj = Record<string, any>;

/** An eviction not yet seen as a deleted pod is forgotten after this (upstream's DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

function isReady(pod: KubeObject): boolean {
  return ((pod.status as Obj)?.conditions as Obj[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** "50%" of n, rounded up as upstream's GetScaledValueFromIntOrPercent(roundUp=true); ints as they are. */
export function scaled(v: number | string, total: number): number | undefined {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return undefined;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * A PodDisruptionBudget's status from its pods, as upstream's disruption controller computes it.
 * expectedScale is the sum of the replicas of the pods' controllers (needed for percentages and
 * maxUnavailable; undefined when a controller has no scale, as for bare pods). Pods listed in
 * disruptedPods (evicted, not yet deleted) do not count as healthy until their entry expires.
 */
export function pdbStatus(pdb: KubeObject, pods: KubeObject[], expectedScale: number | undefined, now: number, nowIso: string): Obj {
  const spec: Obj = (pdb.spec as Obj) ?? {};
  const old: Obj = (pdb.status as Obj) ?? {};
  const disruptedPods: Record<string, string> = {};
  const present = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name));
  for (const [name, at] of Object.entries((old.disruptedPods ?? {}) as Record<string, string>)) {
    if (present.has(name) && now - Date.parse(at) < DELETION_TIMEOUT_MS) disruptedPods[name] = at;
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disruptedPods[p.metadata.name ?? ''] && isReady(p)).length;
  let expectedPods = pods.length;
  let desiredHealthy = 0;
  let failure: string | undefined;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = expectedScale ?? pods.length;
    if (expectedScale === undefined) failure = 'found no controllers for pods selected by the budget';
    desiredHealthy = Math.max(0, expectedPods - (scaled(spec.maxUnavailable, expectedPods) ?? 0));
  } else if (typeof spec.minAvailable === 'string') {
    expectedPods = expectedScale ?? pods.length;
    if (expectedScale === undefined) failure = 'found no controllers for pods selected by the budget';
    desiredHealthy = scaled(spec.minAvailable, expectedPods) ?? 0;
  } else {
    desiredHealthy = typeof spec.minAvailable === 'number' ? spec.minAvailable : 1;
  }
  const disruptionsAllowed = failure || expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const condition = failure
    ? { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: failure }
    : disruptionsAllowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' };
  const prev = ((old.conditions ?? []) as Obj[]).find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = prev && prev.status === condition.status && prev.reason === condition.reason ? prev.lastTransitionTime : nowIso;
  return {
    ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    observedGeneration: pdb.metadata.generation ?? 0,
    conditions: [{ ...condition, observedGeneration: pdb.metadata.generation ?? 0, lastTransitionTime }],
  };
}
