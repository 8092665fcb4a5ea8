import type { KubeObject } from '../../../internal/api/index.js';

interface JobCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export type TtlDecision = { action: 'none' } | { action: 'delete' } | { action: 'wait'; ms: number };

/** When the Job finished: its Complete or Failed condition (True) moved, else status.completionTime. */
export function finishedAt(job: KubeObject): number | undefined {
  const status = (job.status ?? {}) as { conditions?: JobCondition[]; completionTime?: string };
  const done = status.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return undefined;
  const t = Date.parse(done.lastTransitionTime ?? status.completionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The ttl-after-finished decision for a Job (upstream ttlafterfinished): nothing unless it has
 * spec.ttlSecondsAfterFinished, has finished and is not being deleted; delete once finish + ttl has
 * passed, otherwise wait for what is left.
 */
export function ttlDecision(job: KubeObject, now: number): TtlDecision {
  const ttl = (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return { action: 'none' };
  const finished = finishedAt(job);
  if (finished === undefined) return { action: 'none' };
  const left = finished + ttl * 1000 - now;
  return left <= 0 ? { action: 'delete' } : { action: 'wait', ms: left };
}
