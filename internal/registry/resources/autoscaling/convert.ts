import type { KubeObject } from '../../../api/index.js';
import { clone, get, isObj, objs, type Obj } from '../shared/object.js';

/**
 * autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler. v2 is the stored shape. v1 keeps only
 * the CPU utilization target; what it cannot express travels in annotations (upstream's
 * autoscaling.alpha.kubernetes.io/* round-trip), so a v1 read-modify-write loses nothing.
 */
const A = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
};

const isCpuUtilization = (m: Obj) => m.type === 'Resource' && get(m, 'resource', 'name') === 'cpu' && get(m, 'resource', 'target', 'type') === 'Utilization';
const isCpuCurrent = (m: Obj) => m.type === 'Resource' && get(m, 'resource', 'name') === 'cpu' && get(m, 'resource', 'current', 'averageUtilization') !== undefined;

function takeAnnotation(meta: KubeObject['metadata'], key: string): unknown {
  const text = meta.annotations?.[key];
  if (text === undefined) return undefined;
  delete meta.annotations![key];
  if (Object.keys(meta.annotations!).length === 0) delete meta.annotations;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function putAnnotation(meta: KubeObject['metadata'], key: string, value: unknown): void {
  meta.annotations = { ...(meta.annotations ?? {}), [key]: JSON.stringify(value) };
}

export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const meta = clone(v1.metadata);
  const spec = isObj(v1.spec) ? v1.spec : {};
  const status = isObj(v1.status) ? v1.status : undefined;
  const extraMetrics = objs(takeAnnotation(meta, A.metrics));
  const behavior = takeAnnotation(meta, A.behavior);
  const conditions = takeAnnotation(meta, A.conditions);
  const extraCurrent = objs(takeAnnotation(meta, A.currentMetrics));
  const target = spec.targetCPUUtilizationPercentage;
  const metrics = [
    ...(typeof target === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }] : []),
    ...extraMetrics,
  ];
  const { targetCPUUtilizationPercentage: _t, ...restSpec } = spec;
  const out: KubeObject = {
    ...v1,
    apiVersion: 'autoscaling/v2',
    metadata: meta,
    spec: { ...restSpec, ...(metrics.length > 0 ? { metrics } : {}), ...(behavior !== undefined ? { behavior } : {}) },
  };
  if (status) {
    const { currentCPUUtilizationPercentage: cpu, ...restStatus } = status;
    const current = [
      ...(typeof cpu === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } }] : []),
      ...extraCurrent,
    ];
    out.status = { ...restStatus, ...(current.length > 0 ? { currentMetrics: current } : {}), ...(conditions !== undefined ? { conditions } : {}) };
  }
  return out;
}

export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const meta = clone(v2.metadata);
  const spec = isObj(v2.spec) ? v2.spec : {};
  const metrics = objs(spec.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length > 0) putAnnotation(meta, A.metrics, others);
  if (spec.behavior !== undefined) putAnnotation(meta, A.behavior, spec.behavior);
  const { metrics: _m, behavior: _b, ...restSpec } = spec;
  const out: KubeObject = {
    ...v2,
    apiVersion: 'autoscaling/v1',
    metadata: meta,
    spec: { ...restSpec, ...(cpu ? { targetCPUUtilizationPercentage: get(cpu, 'resource', 'target', 'averageUtilization') } : {}) },
  };
  if (isObj(v2.status)) {
    const { currentMetrics, conditions, ...restStatus } = v2.status;
    const current = objs(currentMetrics);
    const cpuNow = current.find(isCpuCurrent);
    const rest = current.filter((m) => m !== cpuNow);
    if (rest.length > 0) putAnnotation(meta, A.currentMetrics, rest);
    if (conditions !== undefined) putAnnotation(meta, A.conditions, conditions);
    out.status = { ...restStatus, ...(cpuNow ? { currentCPUUtilizationPercentage: get(cpuNow, 'resource', 'current', 'averageUtilization') } : {}) };
  }
  return out;
}
