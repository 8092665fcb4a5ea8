import type { KubeObject } from '../../../internal/api/index.js';
import { boundTo, claimClass, claimRefOf, findVolume } from './match.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

const phaseOf = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;
const volumeNameOf = (pvc: KubeObject) => (pvc.spec as { volumeName?: string } | undefined)?.volumeName ?? '';

export interface ClassInfo {
  provisioner?: string;
  volumeBindingMode?: string;
}

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type ClaimDecision = { action: 'none' } | { action: 'bind'; volume: KubeObject } | { action: 'lost' } | { action: 'pending'; event: EventNote };

/**
 * What the binder does for a claim (upstream's persistentvolume controller, static binding): bind
 * it to its named or best matching volume, mark a bound claim whose volume is gone Lost, or say why
 * it waits. `consumerScheduled`: whether a pod using the claim is on a node, asked only for
 * WaitForFirstConsumer classes (they bind only then).
 */
export function claimDecision(pvc: KubeObject, pvs: ReadonlyMap<string, KubeObject>, classes: ReadonlyMap<string, ClassInfo>, consumerScheduled: () => boolean): ClaimDecision {
  if (pvc.metadata.deletionTimestamp) return { action: 'none' };
  const named = volumeNameOf(pvc);
  if (named) {
    const pv = pvs.get(named);
    const phase = phaseOf(pvc);
    if (phase === 'Bound' || phase === 'Lost') {
      // A Lost claim whose volume comes back is bound again, as upstream does.
      if (pv && boundTo(pv, pvc)) return phase === 'Bound' && phaseOf(pv) === 'Bound' ? { action: 'none' } : { action: 'bind', volume: pv };
      return phase === 'Lost' ? { action: 'none' } : { action: 'lost' };
    }
    if (!pv) return { action: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${named}" not found` } };
    if (claimRefOf(pv) && !boundTo(pv, pvc)) return { action: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `volume "${named}" already bound to a different claim.` } };
    return { action: 'bind', volume: pv };
  }
  const cls = claimClass(pvc);
  const info = cls ? classes.get(cls) : undefined;
  if (info?.volumeBindingMode === 'WaitForFirstConsumer' && !consumerScheduled()) {
    return { action: 'pending', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' } };
  }
  const pv = findVolume(pvc, [...pvs.values()]);
  if (pv) return { action: 'bind', volume: pv };
  if (!cls) return { action: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } };
  if (!info) return { action: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: `storageclass.storage.k8s.io "${cls}" not found` } };
  const p = info.provisioner ?? '';
  return {
    action: 'pending',
    event: { type: 'Normal', reason: 'ExternalProvisioning', message: `Waiting for a volume to be created either by the external provisioner '${p}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.` },
  };
}

export type VolumeDecision =
  | { action: 'none' }
  | { action: 'phase'; phase: 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string }
  | { action: 'delete' };

/**
 * A volume's phase from its claimRef (upstream's volume sync): Available without a claim (or while
 * waiting for the claim it is pre-bound to), Bound to its claim, Released once that claim is gone;
 * a Released volume with reclaimPolicy Delete is deleted if a provisioner made it, else Failed as
 * upstream reports volumes no plugin can delete.
 */
export function volumeDecision(pv: KubeObject, claim: KubeObject | undefined): VolumeDecision {
  if (pv.metadata.deletionTimestamp) return { action: 'none' };
  const phase = phaseOf(pv);
  const ref = claimRefOf(pv);
  const to = (p: 'Available' | 'Bound' | 'Released' | 'Failed', message?: string): VolumeDecision => (phase === p ? { action: 'none' } : { action: 'phase', phase: p, ...(message ? { message } : {}) });
  if (!ref) return to('Available');
  const claimGone = !claim || (ref.uid !== undefined && ref.uid !== '' && ref.uid !== claim.metadata.uid);
  if (!ref.uid && claimGone) return to('Available');
  if (!claimGone) {
    if (volumeNameOf(claim!) === pv.metadata.name) return to('Bound');
    // Pre-bound, or bound by us with the claim's half not written yet: the claim's sync finishes it.
    return phase === 'Released' || phase === 'Failed' ? { action: 'none' } : to(phase === 'Bound' ? 'Bound' : 'Available');
  }
  if (phase === 'Failed') return { action: 'none' };
  const policy = (pv.spec as { persistentVolumeReclaimPolicy?: string } | undefined)?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (phase !== 'Released') return to('Released');
  if (policy === 'Delete') {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY]) return { action: 'delete' };
    return to('Failed', `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`);
  }
  return { action: 'none' };
}
