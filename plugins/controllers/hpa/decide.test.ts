import { describe, expect, it } from 'vitest';
import { type Hpa, planHpa } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const hpa = (metrics?: Hpa['spec']['metrics']): Hpa => ({
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, ...(metrics ? { metrics } : {}) },
});
const cond = (s: ReturnType<typeof planHpa>['status'], type: string) => s.conditions!.find((c) => c.type === type);

describe('planHpa without a metrics API', () => {
  it('says ScalingActive False / FailedGetResourceMetric and keeps currentReplicas true', () => {
    const { status, events } = planHpa(hpa([{ type: 'Resource', resource: { name: 'cpu' } }]), { replicas: 3 }, T0);
    expect(cond(status, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
    expect(cond(status, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    expect(status).toMatchObject({ currentReplicas: 3, desiredReplicas: 0 });
    expect(events.map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
    expect(events[1]!.message).toBe('invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  });
  it('a missing target is AbleToScale False', () => {
    const { status } = planHpa(hpa(), { error: 'deployments.apps "web" not found' }, T0);
    expect(cond(status, 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale' });
  });
  it('a target at zero replicas disables scaling', () => {
    expect(cond(planHpa(hpa(), { replicas: 0 }, T0).status, 'ScalingActive')!.reason).toBe('ScalingDisabled');
  });
  it('pods metrics name the custom metrics API', () => {
    const { status } = planHpa(hpa([{ type: 'Pods', pods: { metric: { name: 'qps' } } }]), { replicas: 1 }, T0);
    expect(cond(status, 'ScalingActive')!.reason).toBe('FailedGetPodsMetric');
  });
});
