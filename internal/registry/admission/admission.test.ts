import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { applyLimitRanges } from './limitranger.js';
import { podSecurityViolations } from './podsecurity-checks.js';
import type { AdmissionAttributes } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';
import type { AdmissionLister } from './lookup.js';
import { quotaStatus, resourceQuota, usageOf, type QuotaReserver } from './resourcequota.js';

const pod = (containers: object[], extra: object = {}): KubeObject => ({ metadata: { name: 'p' }, spec: { containers, ...extra } });

describe('LimitRanger', () => {
  const lr: KubeObject = { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' } }] } };
  it('fills missing requests and limits and annotates as upstream', () => {
    const p = pod([{ name: 'c' }]);
    expect(applyLimitRanges(p, [lr])).toEqual([]);
    expect((p.spec as any).containers[0].resources).toEqual({ limits: { cpu: '500m' }, requests: { cpu: '100m' } }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(p.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu request for container c; cpu limit for container c');
  });
  it('keeps what the container set and reports a limit over max', () => {
    const p = pod([{ name: 'c', resources: { limits: { cpu: '2' } } }]);
    expect(applyLimitRanges(p, [lr])).toEqual(['maximum cpu usage per Container is 1, but limit is 2']);
  });
});

describe('PodSecurity checks', () => {
  it('privileged fails baseline; a hardened pod passes restricted', () => {
    expect(podSecurityViolations('baseline', {}, { containers: [{ name: 'c', securityContext: { privileged: true } }] })).toEqual(['privileged (container "c" must not set securityContext.privileged=true)']);
    const hardened = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };
    expect(podSecurityViolations('restricted', {}, hardened)).toEqual([]);
  });
  it('lists restricted violations in upstream order, naming every container', () => {
    const v = podSecurityViolations('restricted', {}, { hostNetwork: true, containers: [{ name: 'a' }, { name: 'b' }] });
    expect(v).toEqual([
      'host namespaces (hostNetwork=true)',
      'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });
  it('privileged level allows everything', () => {
    expect(podSecurityViolations('privileged', {}, { hostPID: true, containers: [{ name: 'c', securityContext: { privileged: true } }] })).toEqual([]);
  });
});

describe('ResourceQuota usage', () => {
  const pods = [
    pod([{ name: 'c', resources: { requests: { cpu: '250m' } } }]),
    { ...pod([{ name: 'c', resources: { requests: { cpu: '1' } } }]), status: { phase: 'Succeeded' } },
  ];
  const objects = [{ group: '', plural: 'pods', items: pods }, { group: 'apps', plural: 'deployments', items: [{ metadata: { name: 'd' } }] }];
  it('counts live pods, their requests, and objects by count/<resource>.<group>', () => {
    expect(usageOf('pods', objects)).toBe(1);
    expect(usageOf('requests.cpu', objects)).toBe(0.25);
    expect(usageOf('count/deployments.apps', objects)).toBe(1);
    expect(quotaStatus({ metadata: { name: 'q' }, spec: { hard: { pods: '5', 'requests.cpu': '2' } } }, objects)).toEqual({ hard: { pods: '5', 'requests.cpu': '2' }, used: { pods: '1', 'requests.cpu': '250m' } });
  });
});

describe('ResourceQuota compare-and-swap', () => {
  const PODS = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as unknown as ResourceDefinition;
  const attrs = (name: string): AdmissionAttributes => ({ operation: 'CREATE', definition: PODS, namespace: 'ns', name, object: pod([{ name: 'c' }]), user: { name: 'u', groups: [] }, dryRun: false });

  it('of two racing creates that fit only one at a time, one is admitted and the other refused', async () => {
    // One stored quota with a resourceVersion; a status write succeeds only at the current version.
    let stored: KubeObject = { metadata: { name: 'small', namespace: 'ns', resourceVersion: '1' }, spec: { hard: { pods: '1' } } };
    const list: AdmissionLister = async (ref) => (ref.resource === 'resourcequotas' ? [stored] : []);
    const reserve: QuotaReserver = async (q, used) => {
      await new Promise((r) => setImmediate(r));
      if (q.metadata.resourceVersion !== stored.metadata.resourceVersion) return 'conflict';
      stored = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(Number(stored.metadata.resourceVersion) + 1) }, status: { used } };
      return 'ok';
    };
    const plugin = resourceQuota(list, () => undefined, reserve);
    const results = await Promise.allSettled([plugin.validate!(attrs('a')), plugin.validate!(attrs('b'))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.message).toMatch(/^pods "[ab]" is forbidden: exceeded quota: small, requested: pods=1, used: pods=1, limited: pods=1$/);
    expect(stored.status).toEqual({ used: { pods: '1' } });
  });

  it('without reservations both would pass (the race the compare-and-swap closes)', async () => {
    const stored: KubeObject = { metadata: { name: 'small', namespace: 'ns', resourceVersion: '1' }, spec: { hard: { pods: '1' } } };
    const plugin = resourceQuota(async (ref) => (ref.resource === 'resourcequotas' ? [stored] : []), () => undefined);
    const results = await Promise.allSettled([plugin.validate!(attrs('a')), plugin.validate!(attrs('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  });
});
