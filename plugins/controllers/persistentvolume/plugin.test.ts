import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { createPluginHarness, until, type PluginHarness } from '../../testing/plugin-harness.js';
import { persistentVolumeBinderPlugin } from './index.js';

const PVS = { group: '', version: 'v1', resource: 'persistentvolumes' };
const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };

let h: PluginHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const phase = (o: KubeObject) => (o.status as { phase?: string }).phase;

describe('persistentvolume-binder', () => {
  it('binds a claim to a matching volume (both halves), and releases the volume when the claim is deleted', async () => {
    h = await createPluginHarness();
    h.start(persistentVolumeBinderPlugin());
    await h.create(PVS, undefined, { metadata: { name: 'disk1' }, spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/disk1' } } });
    await h.create(PVCS, 'default', { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } });
    const claim = await until(async () => {
      const c = await h!.client.get(PVCS, 'default', 'data');
      return phase(c) === 'Bound' && c;
    });
    expect(claim.spec).toMatchObject({ volumeName: 'disk1' });
    expect(claim.status).toMatchObject({ phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] });
    expect(claim.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    const pv = await until(async () => {
      const v = await h!.client.get(PVS, undefined, 'disk1');
      return phase(v) === 'Bound' && v;
    });
    expect((pv.spec as { claimRef?: unknown }).claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: claim.metadata.uid });
    await h.client.delete(PVCS, 'default', 'data');
    await until(async () => phase(await h!.client.get(PVS, undefined, 'disk1')) === 'Released');
  });

  it('leaves a claim Pending with a FailedBinding event while no volume fits, and binds it once one is created', async () => {
    h = await createPluginHarness();
    h.start(persistentVolumeBinderPlugin());
    await h.create(PVCS, 'default', { metadata: { name: 'big' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } });
    const events = { group: 'events.k8s.io', version: 'v1', resource: 'events' };
    const ev = await until(async () => (await h!.client.list(events, 'default')).items.find((e) => (e as { reason?: string }).reason === 'FailedBinding'));
    expect((ev as { note?: string }).note).toBe('no persistent volumes available for this claim and no storage class is set');
    await h.create(PVS, undefined, { metadata: { name: 'huge' }, spec: { capacity: { storage: '64Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: '/tmp/huge' } } });
    await until(async () => phase(await h!.client.get(PVCS, 'default', 'big')) === 'Bound');
  });
});
