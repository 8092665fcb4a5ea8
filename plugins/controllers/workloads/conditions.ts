/** A status condition as apps/v1 and batch/v1 write them. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * `conditions` with `next` set, as upstream's SetDeploymentCondition / SetJobCondition: nothing
 * changes when a condition of that type has the same status and reason; a condition that keeps
 * its status keeps its lastTransitionTime. `next` carries the other timestamps it wants.
 */
export function setCondition(conditions: Condition[] | undefined, next: Condition, nowIso: string): Condition[] {
  const list = conditions ?? [];
  const old = findCondition(list, next.type);
  if (old && old.status === next.status && old.reason === next.reason) return list;
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime ?? nowIso : next.lastTransitionTime ?? nowIso;
  return [...list.filter((x) => x.type !== next.type), { ...next, lastTransitionTime }];
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
