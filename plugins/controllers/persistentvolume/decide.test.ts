import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { claimDecision, volumeDecision } from './decide.js';
import { findVolume } from './match.js';

const pv = (name: string, spec: Record<string, unknown> = {}, more: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name, ...(more.metadata ?? {}) },
  spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], ...spec },
  status: { phase: 'Available', ...((more.status as object) ?? {}) },
});
const pvc = (name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = { phase: 'Pending' }): KubeObject => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, ...spec },
  status,
});
const byName = (...vs: KubeObject[]) => new Map(vs.map((v) => [v.metadata.name!, v]));
const ref = (c: KubeObject, uid = true) => ({ kind: 'PersistentVolumeClaim', namespace: c.metadata.namespace, name: c.metadata.name, ...(uid ? { uid: c.metadata.uid } : {}) });

describe('findVolume', () => {
  it('takes the smallest volume that fits class, modes, size and selector', () => {
    const claim = pvc('c');
    const vols = [pv('big', { capacity: { storage: '100Gi' } }), pv('fits', { capacity: { storage: '6Gi' } }), pv('small', { capacity: { storage: '1Gi' } })];
    expect(findVolume(claim, vols)?.metadata.name).toBe('fits');
    expect(findVolume(pvc('c', { accessModes: ['ReadWriteMany'] }), vols)).toBeUndefined();
    expect(findVolume(pvc('c', { storageClassName: 'fast' }), vols)).toBeUndefined();
    expect(findVolume(pvc('c', { storageClassName: 'fast' }), [...vols, pv('f', { storageClassName: 'fast' })])?.metadata.name).toBe('f');
    const labelled = pv('labelled', { capacity: { storage: '50Gi' } }, { metadata: { name: 'labelled', labels: { tier: 'db' } } });
    expect(findVolume(pvc('c', { selector: { matchLabels: { tier: 'db' } } }), [...vols, labelled])?.metadata.name).toBe('labelled');
    expect(findVolume(pvc('c', { volumeMode: 'Block' }), vols)).toBeUndefined();
  });

  it('prefers a volume pre-bound to the claim and skips ones bound elsewhere or not Available', () => {
    const claim = pvc('c');
    const pre = pv('pre', { capacity: { storage: '100Gi' }, claimRef: ref(claim, false) });
    const other = pv('other', { capacity: { storage: '6Gi' }, claimRef: { namespace: 'ns', name: 'x' } });
    const released = pv('released', { capacity: { storage: '6Gi' } }, { status: { phase: 'Released' } });
    expect(findVolume(claim, [other, released, pv('fits', { capacity: { storage: '6Gi' } }), pre])?.metadata.name).toBe('pre');
    expect(findVolume(claim, [other, released])).toBeUndefined();
  });
});

describe('claimDecision', () => {
  const none = new Map();
  it('binds to the named volume or the best match', () => {
    const v = pv('v');
    expect(claimDecision(pvc('c', { volumeName: 'v' }), byName(v), none, () => false)).toEqual({ action: 'bind', volume: v });
    expect(claimDecision(pvc('c'), byName(v), none, () => false)).toEqual({ action: 'bind', volume: v });
  });

  it('says why it waits, with upstream\'s events', () => {
    const msg = (c: KubeObject, classes = none, scheduled = false) => {
      const d = claimDecision(c, byName(), classes, () => scheduled);
      return d.action === 'pending' ? `${d.event.type} ${d.event.reason}: ${d.event.message}` : d.action;
    };
    expect(msg(pvc('c'))).toBe('Warning FailedBinding: no persistent volumes available for this claim and no storage class is set');
    expect(msg(pvc('c', { storageClassName: 'gone' }))).toBe('Warning FailedBinding: storageclass.storage.k8s.io "gone" not found');
    const classes = new Map([['wffc', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' }], ['csi', { provisioner: 'ebs.csi.aws.com' }]]);
    expect(msg(pvc('c', { storageClassName: 'wffc' }), classes)).toBe('Normal WaitForFirstConsumer: waiting for first consumer to be created before binding');
    // Once a consumer is scheduled a WaitForFirstConsumer claim binds like any other (here: nothing fits).
    expect(msg(pvc('c', { storageClassName: 'wffc' }), classes, true)).toContain("Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'kubernetes.io/no-provisioner'");
    expect(msg(pvc('c', { storageClassName: 'csi' }), classes)).toContain("Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'");
    expect(msg(pvc('c', { volumeName: 'nope' }))).toBe('Warning FailedBinding: volume "nope" not found');
  });

  it('marks a bound claim whose volume is gone Lost, once; finishes a half-written binding', () => {
    const claim = pvc('c', { volumeName: 'v' }, { phase: 'Bound' });
    expect(claimDecision(claim, byName(), none, () => false)).toEqual({ action: 'lost' });
    expect(claimDecision({ ...claim, status: { phase: 'Lost' } }, byName(), none, () => false)).toEqual({ action: 'none' });
    const half = pv('v', { claimRef: ref(claim) }, { status: { phase: 'Available' } });
    expect(claimDecision(claim, byName(half), none, () => false)).toEqual({ action: 'bind', volume: half });
    const done = pv('v', { claimRef: ref(claim) }, { status: { phase: 'Bound' } });
    expect(claimDecision(claim, byName(done), none, () => false)).toEqual({ action: 'none' });
  });
});

describe('volumeDecision', () => {
  const claim = pvc('c', { volumeName: 'v' }, { phase: 'Bound' });
  it('Available without a claim, Bound with it, Released when it is gone', () => {
    expect(volumeDecision(pv('v', {}, { status: { phase: 'Pending' } }), undefined)).toEqual({ action: 'phase', phase: 'Available' });
    expect(volumeDecision(pv('v', { claimRef: ref(claim) }), claim)).toEqual({ action: 'phase', phase: 'Bound' });
    expect(volumeDecision(pv('v', { claimRef: ref(claim) }, { status: { phase: 'Bound' } }), undefined)).toEqual({ action: 'phase', phase: 'Released' });
    expect(volumeDecision(pv('v', { claimRef: ref(claim) }, { status: { phase: 'Bound' } }), { ...claim, metadata: { ...claim.metadata, uid: 'new' } })).toEqual({ action: 'phase', phase: 'Released' });
    expect(volumeDecision(pv('v', { claimRef: ref(claim, false) }), undefined)).toEqual({ action: 'none' });
  });

  it('reclaims a Released volume by its policy', () => {
    const released = (policy: string, provisioned = false) =>
      pv('v', { claimRef: ref(claim), persistentVolumeReclaimPolicy: policy }, { metadata: { name: 'v', ...(provisioned ? { annotations: { 'pv.kubernetes.io/provisioned-by': 'x' } } : {}) }, status: { phase: 'Released' } });
    expect(volumeDecision(released('Retain'), undefined)).toEqual({ action: 'none' });
    expect(volumeDecision(released('Delete', true), undefined)).toEqual({ action: 'delete' });
    expect(volumeDecision(released('Delete'), undefined)).toEqual({ action: 'phase', phase: 'Failed', message: 'error getting deleter volume plugin for volume "v": no deletable volume plugin matched' });
  });
});
