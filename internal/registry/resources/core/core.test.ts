import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import { create, createReserving, fields, NOW, row, update, updateReserving } from '../shared/test-helpers.js';
import { coreCases as cases } from '../testdata.js';
import { createServiceAllocator } from './service/allocator.js';
import { coreDefinitions } from './index.js';
import { seededRand } from '../../../util/index.js';

const defs = coreDefinitions(createServiceAllocator({ rand: seededRand(1) }));
const def = (plural: string) => defs.find((d) => d.plural === plural)!;
const obj = (kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name }, ...rest });
const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };

/** One valid object and invalid variants (with the fields expected in the 422) per resource. */

describe('core/v1 strategies: one valid and some invalid objects per resource', () => {
  it('covers every core definition', () => {
    expect(Object.keys(cases).sort()).toEqual(defs.map((d) => d.plural).sort());
  });
  for (const [plural, c] of Object.entries(cases)) {
    it(`${plural}: valid`, () => expect(create(def(plural), c.valid).errs).toEqual([]));
    c.invalid.forEach(([bad, expected], i) => {
      it(`${plural}: invalid #${i}`, () => expect(fields(create(def(plural), bad).errs)).toEqual(expected));
    });
  }
});

describe('core/v1 behaviour', () => {
  it('namespace: finalizer, label, phase; main updates keep spec.finalizers; /finalize changes them', () => {
    const ns = create(def('namespaces'), obj('Namespace', 'team-a')).obj;
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    const cleared = { ...ns, spec: { finalizers: [] } };
    expect(update(def('namespaces'), cleared, ns).obj.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(update(def('namespaces'), cleared, ns, 'finalize').obj.spec).toEqual({ finalizers: [] });
    expect(def('namespaces').strategy.prepareForDelete?.(structuredClone(ns), { user: { name: 'a', groups: [] }, now: NOW, dryRun: false })).toBe(true);
    expect(row(def('namespaces'), ns)).toEqual({ Name: 'team-a', Status: 'Active', Age: '60s' });
    expect(def('namespaces').nameValidation).toBeDefined();
    expect(def('namespaces').trackGeneration).toBe(false);
  });

  it('secret: stringData merged into data as base64, type Opaque; table TYPE and DATA', () => {
    const s = create(def('secrets'), obj('Secret', 's', { data: { a: 'eA==' }, stringData: { password: 'hunter2' } })).obj;
    expect(s).toMatchObject({ type: 'Opaque', data: { a: 'eA==', password: 'aHVudGVyMg==' } });
    expect(s.stringData).toBeUndefined();
    expect(row(def('secrets'), s)).toEqual({ Name: 's', Type: 'Opaque', Data: 2, Age: '60s' });
    const changed = { ...s, type: 'kubernetes.io/basic-auth' };
    expect(fields(update(def('secrets'), changed, s).errs)).toEqual(['type']);
  });

  it('configmap: DATA counts data and binaryData; immutable freezes data', () => {
    const cm = create(def('configmaps'), obj('ConfigMap', 'cm', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' }, immutable: true })).obj;
    expect(row(def('configmaps'), cm)).toEqual({ Name: 'cm', Data: 3, Age: '60s' });
    expect(fields(update(def('configmaps'), { ...cm, data: { a: '9' } }, cm).errs)).toEqual(['data']);
  });

  it('service: defaults, cluster IP from 10.96.0.0/12, node ports, table cells', async () => {
    const svc = (await createReserving(def('services'), obj('Service', 'web', { spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } }))).obj;
    const spec = svc.spec as Record<string, any>;
    expect(spec).toMatchObject({
      type: 'NodePort', sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster',
    });
    expect(spec.ports[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    expect(svc.status).toEqual({ loadBalancer: {} });
    expect(row(def('services'), svc)).toEqual({
      Name: 'web', Type: 'NodePort', 'Cluster-IP': spec.clusterIP, 'External-IP': '<none>',
      'Port(s)': `80:${spec.ports[0].nodePort}/TCP`, Age: '60s', Selector: 'app=web',
    });
    // An update without clusterIP keeps it; changing it is refused.
    const again = await updateReserving(def('services'), { ...svc, spec: { ...spec, clusterIP: undefined, clusterIPs: undefined } }, svc);
    expect((again.obj.spec as Record<string, unknown>).clusterIP).toBe(spec.clusterIP);
    expect(fields(update(def('services'), { ...svc, spec: { ...spec, clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9'] } }, svc).errs)).toContain('spec.clusterIP');
  });

  it('service: requested IP must be in range and free; headless; kubernetes-style row', async () => {
    const k = (await createReserving(def('services'), obj('Service', 'kubernetes', { spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] } }))).obj;
    expect(row(def('services'), k)).toMatchObject({ Type: 'ClusterIP', 'Cluster-IP': '10.96.0.1', 'External-IP': '<none>', 'Port(s)': '443/TCP', Selector: '<none>' });
    const dup = await createReserving(def('services'), obj('Service', 'dup', { spec: { clusterIP: '10.96.0.1', ports: [{ port: 1 }] } }));
    expect(dup.refused).toBe('Service "dup" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    const out = await createReserving(def('services'), obj('Service', 'out', { spec: { clusterIP: '192.168.0.1', ports: [{ port: 1 }] } }));
    expect(out.refused).toContain('is not in the valid range. The range of valid IPs is 10.96.0.0/12');
    const headless = await createReserving(def('services'), obj('Service', 'db', { spec: { clusterIP: 'None', selector: { app: 'db' } } }));
    expect(headless.errs).toEqual([]);
    expect(row(def('services'), headless.obj)).toMatchObject({ 'Cluster-IP': 'None', 'Port(s)': '<none>' });
    const lb = (await createReserving(def('services'), obj('Service', 'lb', { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }))).obj;
    expect(row(def('services'), lb)['External-IP']).toBe('<pending>');
  });

  it('node: status kept on create, STATUS/ROLES/VERSION and wide cells', () => {
    const node = create(def('nodes'), obj('Node', 'n1', {
      metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
        nodeInfo: { kubeletVersion: 'v1.26.1', osImage: 'Ubuntu 22.04', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
      },
    })).obj;
    expect(row(def('nodes'), node)).toEqual({
      Name: 'n1', Status: 'Ready,SchedulingDisabled', Roles: 'control-plane', Age: '60s', Version: 'v1.26.1',
      'Internal-IP': '192.168.1.10', 'External-IP': '<none>', 'OS-Image': 'Ubuntu 22.04', 'Kernel-Version': '6.1', 'Container-Runtime': 'containerd://1.7',
    });
    expect(def('nodes').strategy.selectableFields?.(node)).toEqual({ 'spec.unschedulable': 'true' });
    const bare = create(def('nodes'), obj('Node', 'n2')).obj;
    expect(row(def('nodes'), bare)).toMatchObject({ Status: 'Unknown', Roles: '<none>', 'OS-Image': '<unknown>' });
  });

  it('events: ttl, selectable fields, printer cells', () => {
    const ev = create(def('events'), obj('Event', 'p.1', {
      involvedObject: { kind: 'Pod', name: 'busybox', namespace: 'default' }, type: 'Warning', reason: 'FailedScheduling',
      message: 'no nodes available to schedule pods ', source: { component: 'default-scheduler' }, reportingInstance: 'default-scheduler-vm',
      firstTimestamp: '2026-11-23T09:59:19Z', lastTimestamp: '2026-11-23T09:59:19Z', count: 1,
    })).obj;
    expect(def('events').strategy.ttlSeconds).toBe(3600);
    expect(def('events').strategy.selectableFields?.(ev)).toMatchObject({ 'involvedObject.name': 'busybox', reason: 'FailedScheduling', source: 'default-scheduler', type: 'Warning' });
    expect(Object.values(row(def('events'), ev))).toEqual([
      '41s', 'Warning', 'FailedScheduling', 'pod/busybox', '', 'default-scheduler, default-scheduler-vm', 'no nodes available to schedule pods', '41s', 1, 'p.1',
    ]);
  });

  it('replicationcontroller: selector and replicas default from the template; scale paths', () => {
    const rc = create(def('replicationcontrollers'), obj('ReplicationController', 'rc', { spec: { template } })).obj;
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'a' } });
    expect(rc.status).toEqual({ replicas: 0 });
    expect(def('replicationcontrollers').trackGeneration).toBe(true);
    expect(def('replicationcontrollers').subresources?.find((s) => s.name === 'scale')).toMatchObject({ kind: { group: 'autoscaling', kind: 'Scale' } });
  });

  it('pvc: Pending, immutable spec except requests and first binding', () => {
    const pvc = create(def('persistentvolumeclaims'), cases.persistentvolumeclaims!.valid).obj;
    expect(pvc.status).toEqual({ phase: 'Pending' });
    expect(row(def('persistentvolumeclaims'), pvc)).toMatchObject({ Status: 'Pending', Volume: '', Capacity: '', VolumeAttributesClass: '<unset>', VolumeMode: 'Filesystem' });
    const bound = { ...pvc, spec: { ...(pvc.spec as object), volumeName: 'pv1' } };
    expect(update(def('persistentvolumeclaims'), bound, pvc).errs).toEqual([]);
    const changed = { ...pvc, spec: { ...(pvc.spec as object), accessModes: ['ReadWriteMany'] } };
    expect(fields(update(def('persistentvolumeclaims'), changed, pvc).errs)).toEqual(['spec']);
  });
});
