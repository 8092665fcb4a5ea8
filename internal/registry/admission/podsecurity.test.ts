import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import type { AdmissionAttributes } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';
import { podSecurity } from './podsecurity.js';

const def = (group: string, plural: string) => ({ group, version: 'v1', plural, namespaced: true }) as unknown as ResourceDefinition;
const privileged = { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] };
const attrs = (definition: ResourceDefinition, object: KubeObject): AdmissionAttributes => ({ operation: 'CREATE', definition, namespace: 'ns', name: 'x', object, user: { name: 'u', groups: [] }, dryRun: false, warnings: [] });
const ns = (labels: Record<string, string>): KubeObject => ({ metadata: { name: 'ns', labels } });

async function run(labels: Record<string, string>, a: AdmissionAttributes) {
  const annotations = new Map<string, string>();
  a.auditAnnotations = annotations;
  const err = await Promise.resolve().then(() => podSecurity(async () => ns(labels)).validate!(a)).catch((e: Error) => e);
  return { err, annotations: Object.fromEntries(annotations), warnings: a.warnings };
}

describe('PodSecurity audit and enforce-policy annotations', () => {
  it('audit mode records the violations in the audit annotations, admits, and names the enforced policy', async () => {
    const r = await run({ 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/audit-version': 'v1.29' }, attrs(def('', 'pods'), { metadata: { name: 'x' }, spec: privileged }));
    expect(r.err).toBeUndefined();
    expect(r.warnings).toEqual([]);
    expect(r.annotations).toEqual({
      'pod-security.kubernetes.io/audit-violations': 'would violate PodSecurity "baseline:v1.29": privileged (container "c" must not set securityContext.privileged=true)',
      'pod-security.kubernetes.io/enforce-policy': 'privileged:latest',
    });
  });

  it('an unlabelled namespace: a pod gets enforce-policy privileged:latest only', async () => {
    const r = await run({}, attrs(def('', 'pods'), { metadata: { name: 'x' }, spec: privileged }));
    expect(r.annotations).toEqual({ 'pod-security.kubernetes.io/enforce-policy': 'privileged:latest' });
  });

  it('a refused pod still carries its audit violations and the enforced policy', async () => {
    const r = await run({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30', 'pod-security.kubernetes.io/audit': 'restricted' }, attrs(def('', 'pods'), { metadata: { name: 'x' }, spec: privileged }));
    expect((r.err as Error).message).toMatch(/^pods "x" is forbidden: violates PodSecurity "restricted:v1.30": privileged/);
    expect(r.annotations['pod-security.kubernetes.io/enforce-policy']).toBe('restricted:v1.30');
    expect(r.annotations['pod-security.kubernetes.io/audit-violations']).toMatch(/^would violate PodSecurity "restricted:latest": privileged/);
  });

  it("a workload's pod template is audited and warned, never enforced", async () => {
    const deploy = { metadata: { name: 'x' }, spec: { template: { metadata: {}, spec: privileged } } };
    const r = await run({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/warn': 'baseline' }, attrs(def('apps', 'deployments'), deploy));
    expect(r.err).toBeUndefined();
    expect(Object.keys(r.annotations)).toEqual(['pod-security.kubernetes.io/audit-violations']);
    expect(r.warnings).toHaveLength(1);
  });
});
