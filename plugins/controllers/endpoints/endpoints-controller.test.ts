import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { endpointSlicePlugin } from '../endpointslice/index.js';
import { endpointSliceMirroringPlugin } from '../endpointslice/mirroring.js';
import { ENDPOINTS, ENDPOINTSLICES, NAMESPACES, PODS, SERVICES } from '../shared/refs.js';
import { eventually, startCluster, type Cluster } from '../testing/harness.js';
import { pod } from '../testing/objects.js';
import { endpointsPlugin } from './index.js';

let c: Cluster;
afterEach(async () => c?.stop());

const running = (ip: string, ready: boolean) => ({
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:05Z' }] },
});
async function setStatus(name: string, ip: string, ready: boolean): Promise<void> {
  const p = await c.client.get(PODS, 'ns', name);
  await c.client.update(PODS, 'ns', { ...p, ...running(ip, ready) }, { subresource: 'status' });
}
const slicesOf = async (svc: string) => (await c.client.list(ENDPOINTSLICES, 'ns', { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
const addresses = (slices: KubeObject[]) => slices.flatMap((s) => ((s.endpoints ?? []) as { addresses: string[]; conditions: { ready: boolean } }[]).map((e) => `${e.addresses[0]}:${e.conditions.ready}`)).sort();

describe('endpoints, endpointslice and mirroring controllers', () => {
  it('a Service with a selector gets Endpoints and an EndpointSlice of its pods; they follow the pods and go with it', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
    c.start(endpointsPlugin(), endpointSlicePlugin());
    await c.client.create(SERVICES, 'ns', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] } });
    await eventually(async () => expect(await slicesOf('web')).toHaveLength(1));
    for (const [name, labels] of [['a', { app: 'web' }], ['b', { app: 'web' }], ['other', { app: 'db' }]] as const) await c.client.create(PODS, 'ns', pod(name, labels));
    await setStatus('a', '10.0.0.1', true);
    await setStatus('b', '10.0.0.2', false);
    await setStatus('other', '10.0.0.3', true);
    await eventually(async () => {
      const ep = await c.client.get(ENDPOINTS, 'ns', 'web');
      expect(ep.subsets).toMatchObject([{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
      expect(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBeTruthy();
      expect(addresses(await slicesOf('web'))).toEqual(['10.0.0.1:true', '10.0.0.2:false']);
    });
    const [slice] = await slicesOf('web');
    expect(slice!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web', controller: true });
    await c.client.delete(SERVICES, 'ns', 'web');
    await eventually(async () => expect((await c.client.list(ENDPOINTS, 'ns')).items).toEqual([]));
  });

  it('custom Endpoints of a selectorless Service are mirrored into slices and left alone by the endpoints controller', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
    c.start(endpointsPlugin(), endpointSliceMirroringPlugin());
    await c.client.create(SERVICES, 'ns', { metadata: { name: 'ext' }, spec: { ports: [{ port: 5432 }] } });
    await c.client.create(ENDPOINTS, 'ns', { metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.168.1.1' }], ports: [{ port: 5432 }] }] });
    await eventually(async () => expect(addresses(await slicesOf('ext'))).toEqual(['192.168.1.1:true']));
    expect((await slicesOf('ext'))[0]!.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe('endpointslicemirroring-controller.k8s.io');
    await c.client.delete(ENDPOINTS, 'ns', 'ext');
    await eventually(async () => expect(await slicesOf('ext')).toEqual([]));
  });
});
