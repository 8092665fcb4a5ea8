import { type Condition, setCondition } from '../workloads/conditions.js';

/** The parts of an autoscaling/v2 HorizontalPodAutoscaler this controller reads and writes. */
export interface Hpa {
  metadata: { name?: string; namespace?: string; generation?: number };
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string }; pods?: { metric?: { name?: string } }; object?: { metric?: { name?: string } }; external?: { metric?: { name?: string } }; containerResource?: { name: string } }[];
  };
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: Condition[]; lastScaleTime?: string; currentMetrics?: unknown[]; observedGeneration?: number };
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What reading the target's scale subresource gave: its replicas, or the error text. */
export type ScaleRead = { replicas: number } | { error: string };

const METRICS_API: Record<string, string> = {
  Resource: 'resource metrics API',
  ContainerResource: 'resource metrics API',
  Pods: 'custom metrics API',
  Object: 'custom metrics API',
  External: 'external metrics API',
};

/** The first metric's failure as upstream words it when its metrics API has nothing. */
function metricFailure(hpa: Hpa): { reason: string; message: string; what: string } {
  const m = hpa.spec.metrics?.[0] ?? { type: 'Resource', resource: { name: 'cpu' } };
  if (m.type === 'Resource' || m.type === 'ContainerResource') {
    const name = m.resource?.name ?? m.containerResource?.name ?? 'cpu';
    const kind = m.type === 'Resource' ? 'Resource' : 'ContainerResource';
    return { reason: `FailedGet${kind}Metric`, what: `${name} resource metric value`, message: `failed to get ${name} utilization: unable to get metrics for resource ${name}: no metrics returned from ${METRICS_API[m.type]}` };
  }
  const name = m.pods?.metric?.name ?? m.object?.metric?.name ?? m.external?.metric?.name ?? '';
  const kind = m.type === 'Pods' ? 'Pods' : m.type === 'Object' ? 'Object' : 'External';
  return { reason: `FailedGet${kind}Metric`, what: `${kind.toLowerCase()} metric value`, message: `unable to get metric ${name}: no metrics returned from ${METRICS_API[m.type] ?? 'metrics API'}` };
}

/**
 * The HPA's status while no metrics API is served (upstream's reconcileAutoscaler when every
 * metric fails): AbleToScale from reading the target's scale, ScalingActive False with the
 * metric's failure, currentReplicas from the target, desiredReplicas unchanged; no scaling.
 */
export function planHpa(hpa: Hpa, scale: ScaleRead, now: number): { status: NonNullable<Hpa['status']>; events: HpaEvent[] } {
  const nowIso = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const prev = hpa.status ?? {};
  let conditions = prev.conditions ?? [];
  const events: HpaEvent[] = [];
  if ('error' in scale) {
    const message = `the HPA controller was unable to get the target's current scale: ${scale.error}`;
    conditions = setCondition(conditions, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message }, nowIso);
    events.push({ type: 'Warning', reason: 'FailedGetScale', message: scale.error });
    return { status: { ...prev, conditions, desiredReplicas: prev.desiredReplicas ?? 0 }, events };
  }
  conditions = setCondition(conditions, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" }, nowIso);
  if (scale.replicas === 0 && (hpa.spec.minReplicas ?? 1) !== 0) {
    conditions = setCondition(conditions, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }, nowIso);
  } else {
    const f = metricFailure(hpa);
    conditions = setCondition(conditions, { type: 'ScalingActive', status: 'False', reason: f.reason, message: `the HPA was unable to compute the replica count: ${f.message}` }, nowIso);
    events.push({ type: 'Warning', reason: f.reason, message: f.message });
    const count = hpa.spec.metrics?.length || 1;
    events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message: `invalid metrics (${count} invalid out of ${count}), first error is: failed to get ${f.what}: ${f.message}` });
  }
  return { status: { ...prev, currentReplicas: scale.replicas, desiredReplicas: prev.desiredReplicas ?? 0, conditions, ...(hpa.metadata.generation ? { observedGeneration: hpa.metadata.generation } : {}) }, events };
}
