import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { pod, service } from '../endpoints/testdata.js';
import { serviceSliceGroups, serviceSliceTemplate } from './from-service.js';
import { mirrorSliceGroups, mirrorSliceTemplate, shouldMirror } from './mirror.js';
import { planSlices, type SliceGroup } from './plan.js';

const HTTP = { name: 'http', port: 8080, protocol: 'TCP' };
const target = (name: string) => ({ kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` });

describe('serviceSliceGroups', () => {
  it('ready, not-ready and terminating pods with their conditions, grouped by ports', () => {
    const groups = serviceSliceGroups(service(), [
      pod('a', '10.0.0.1'),
      pod('b', '10.0.0.2', { ready: false }),
      pod('c', '10.0.0.3', { deleting: true }),
      pod('d', '10.0.0.4', { port: 9090 }),
      pod('e', '10.0.0.5', { phase: 'Failed' }),
    ]);
    expect(groups).toEqual([
      {
        addressType: 'IPv4',
        ports: [HTTP],
        endpoints: [
          { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: target('a'), nodeName: 'node-1' },
          { addresses: ['10.0.0.2'], conditions: { ready: false, serving: false, terminating: false }, targetRef: target('b'), nodeName: 'node-1' },
          { addresses: ['10.0.0.3'], conditions: { ready: false, serving: true, terminating: true }, targetRef: target('c'), nodeName: 'node-1' },
        ],
      },
      {
        addressType: 'IPv4',
        ports: [{ ...HTTP, port: 9090 }],
        endpoints: [{ addresses: ['10.0.0.4'], conditions: { ready: true, serving: true, terminating: false }, targetRef: target('d'), nodeName: 'node-1' }],
      },
    ]);
  });

  it('no pods: one empty placeholder group per family', () => {
    expect(serviceSliceGroups(service({ spec: { ipFamilies: ['IPv4', 'IPv6'] } }), [])).toEqual([
      { addressType: 'IPv4', ports: [], endpoints: [] },
      { addressType: 'IPv6', ports: [], endpoints: [] },
    ]);
  });

  it('template: Service labels, its name, the manager, an owner reference, the trigger time', () => {
    const t = serviceSliceTemplate(service({ labels: { tier: 'front', 'kubernetes.io/service-name': 'spoof' } }), '2026-01-01T00:00:00Z');
    expect(t).toEqual({
      namespace: 'ns',
      generateName: 'web-',
      labels: { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
    });
  });
});

describe('planSlices', () => {
  const t = serviceSliceTemplate(service(), undefined);
  const ep = (i: number) => ({ addresses: [`10.0.${i >> 8}.${i & 255}`], conditions: { ready: true } });
  const group = (n: number, ports = [HTTP]): SliceGroup => ({ addressType: 'IPv4', ports, endpoints: Array.from({ length: n }, (_, i) => ep(i)) });
  const asExisting = (s: KubeObject, name: string): KubeObject => ({ ...s, metadata: { ...s.metadata, name, generateName: undefined } });

  it('creates slices of at most max endpoints', () => {
    const plan = planSlices(t, [group(5)], [], 2);
    expect(plan.create.map((s) => (s.endpoints as unknown[]).length)).toEqual([2, 2, 1]);
    expect(plan.create[0]!.metadata).toMatchObject({ generateName: 'web-', namespace: 'ns' });
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it('an up-to-date slice is left alone; a changed one is rewritten in place; extras go', () => {
    const [s1, s2] = planSlices(t, [group(3)], [], 2).create.map((s, i) => asExisting(s, `web-${i}`));
    expect(planSlices(t, [group(3)], [s1!, s2!], 2)).toEqual({ create: [], update: [], delete: [] });
    const shrunk = planSlices(t, [group(1)], [s1!, s2!], 2);
    expect(shrunk.update.map((s) => [s.metadata.name, (s.endpoints as unknown[]).length])).toEqual([['web-0', 1]]);
    expect(shrunk.delete.map((s) => s.metadata.name)).toEqual(['web-1']);
  });

  it('slices with other ports or address types are replaced; an empty group keeps one placeholder', () => {
    const old = asExisting(planSlices(t, [group(1)], []).create[0]!, 'web-old');
    const plan = planSlices(t, [group(1, [{ ...HTTP, port: 9090 }])], [old]);
    expect(plan.create).toHaveLength(1);
    expect(plan.delete.map((s) => s.metadata.name)).toEqual(['web-old']);
    const empty = planSlices(t, [{ addressType: 'IPv4', ports: [], endpoints: [] }], []);
    expect(empty.create.map((s) => [s.endpoints, s.ports])).toEqual([[[], []]]);
  });
});

describe('mirroring', () => {
  const custom: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'ext', namespace: 'ns', uid: 'ep-uid', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' } },
    subsets: [
      { addresses: [{ ip: '192.168.0.1' }, { ip: 'fd00::1' }], notReadyAddresses: [{ ip: '192.168.0.2' }], ports: [{ name: 'db', port: 5432, protocol: 'TCP' }] },
    ],
  };

  it('mirrors custom Endpoints of a selectorless Service only', () => {
    const selectorless = service({ spec: { selector: undefined } });
    expect(shouldMirror(custom, selectorless)).toBe(true);
    expect(shouldMirror(custom, undefined)).toBe(false);
    expect(shouldMirror(custom, service())).toBe(false);
    const skip = { ...custom, metadata: { ...custom.metadata, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } };
    expect(shouldMirror(skip, selectorless)).toBe(false);
  });

  it('groups addresses by family with readiness, and points the slices at the Endpoints', () => {
    const db = [{ name: 'db', port: 5432, protocol: 'TCP' }];
    expect(mirrorSliceGroups(custom)).toEqual([
      { addressType: 'IPv4', ports: db, endpoints: [{ addresses: ['192.168.0.1'], conditions: { ready: true } }, { addresses: ['192.168.0.2'], conditions: { ready: false } }] },
      { addressType: 'IPv6', ports: db, endpoints: [{ addresses: ['fd00::1'], conditions: { ready: true } }] },
    ]);
    expect(mirrorSliceTemplate(custom)).toEqual({
      namespace: 'ns',
      generateName: 'ext-',
      labels: { a: 'b', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }],
    });
  });
});
