import { controllerRefTo } from '../workloads/claim.js';
import type { Pod } from '../workloads/pods.js';
import { podFromTemplate } from '../workloads/template.js';
import { COMPLETION_INDEX, type Job, TRACKING_FINALIZER } from './types.js';

/**
 * A pod for `job`: the template, the tracking finalizer, and for Indexed jobs the completion
 * index as annotation, label, JOB_COMPLETION_INDEX env var and hostname `<job>-<index>`.
 */
export function jobPod(job: Job, index?: number): Pod {
  const name = job.metadata.name ?? '';
  const pod = podFromTemplate(job.spec.template, controllerRefTo(job, 'batch/v1', 'Job'), job.metadata.namespace ?? '', index === undefined ? `${name}-` : `${name}-${index}-`);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), TRACKING_FINALIZER];
  if (index === undefined) return pod;
  pod.metadata.annotations = { ...pod.metadata.annotations, [COMPLETION_INDEX]: String(index) };
  pod.metadata.labels = { ...pod.metadata.labels, [COMPLETION_INDEX]: String(index) };
  const spec = pod.spec as { hostname?: string; containers?: { env?: unknown[] }[]; initContainers?: { env?: unknown[] }[] };
  spec.hostname ??= `${name}-${index}`;
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) c.env = [...(c.env ?? []), env];
  return pod;
}

export function podIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
