import { type KubeObject, labelSelectorAsQuery, parseQuantity, type LabelSelector } from '../../../internal/api/index.js';

type Spec = Record<string, unknown>;
const spec = (o: KubeObject): Spec => (o.spec ?? {}) as Spec;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A claim's class as upstream reads it: spec.storageClassName, else the beta annotation, else "". */
export function claimClass(pvc: KubeObject): string {
  const s = spec(pvc).storageClassName;
  if (typeof s === 'string') return s;
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export function volumeClass(pv: KubeObject): string {
  const s = spec(pv).storageClassName;
  if (typeof s === 'string') return s;
  return pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

interface ClaimRef {
  namespace?: string;
  name?: string;
  uid?: string;
}

export const claimRefOf = (pv: KubeObject): ClaimRef | undefined => spec(pv).claimRef as ClaimRef | undefined;

/** Whether the volume's claimRef names this claim (and, when it has a uid, this very object). */
export function boundTo(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = claimRefOf(pv);
  if (!ref || ref.namespace !== pvc.metadata.namespace || ref.name !== pvc.metadata.name) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

const requested = (pvc: KubeObject) => parseQuantity((spec(pvc).resources as { requests?: Record<string, unknown> } | undefined)?.requests?.storage) ?? 0;
const capacity = (pv: KubeObject) => parseQuantity((spec(pv).capacity as Record<string, unknown> | undefined)?.storage) ?? 0;
const mode = (o: KubeObject) => (typeof spec(o).volumeMode === 'string' ? (spec(o).volumeMode as string) : 'Filesystem');

/**
 * The volume a claim binds to, as upstream's binder chooses: one pre-bound to the claim, else the
 * smallest Available volume of the claim's class, volume mode and selector that offers every access
 * mode asked for and at least the storage requested.
 */
export function findVolume(pvc: KubeObject, pvs: readonly KubeObject[]): KubeObject | undefined {
  const want = requested(pvc);
  const modes = strings(spec(pvc).accessModes);
  // A claim without a selector takes any volume (a nil LabelSelector would select nothing).
  const raw = spec(pvc).selector as LabelSelector | undefined;
  const selector = raw ? labelSelectorAsQuery(raw) : undefined;
  const cls = claimClass(pvc);
  let best: KubeObject | undefined;
  for (const pv of pvs) {
    if (pv.metadata.deletionTimestamp || mode(pv) !== mode(pvc)) continue;
    if (claimRefOf(pv)) {
      if (boundTo(pv, pvc) && capacity(pv) >= want) return pv;
      continue;
    }
    const phase = (pv.status as { phase?: string } | undefined)?.phase;
    if (phase !== undefined && phase !== 'Available') continue;
    if (volumeClass(pv) !== cls || (selector && !selector.matches(pv.metadata.labels ?? {}))) continue;
    const offered = strings(spec(pv).accessModes);
    if (!modes.every((m) => offered.includes(m)) || capacity(pv) < want) continue;
    if (!best || capacity(pv) < capacity(best)) best = pv;
  }
  return best;
}
