import { type Deployment, type ReplicaSet, specReplicas } from './types.js';
import { byCreation, maxSurge, maxUnavailable, replicaAnnotations } from './util.js';

// The rollout steps work on clones of the ReplicaSets (a Working set) and set spec.replicas and
// the scaling annotations on them; the plan then writes the clones that changed.

const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + f(rs), 0);
const available = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;
export const active = (rss: ReplicaSet[]) => rss.filter((rs) => specReplicas(rs) > 0);

/** Sets a clone's size and its desired/max-replicas annotations (scaleReplicaSet). */
export function scaleTo(d: Deployment, rs: ReplicaSet, replicas: number): void {
  rs.spec.replicas = replicas;
  rs.metadata.annotations = { ...rs.metadata.annotations, ...replicaAnnotations(d) };
}

/** Replicas for the new ReplicaSet during a rolling update (NewRSNewReplicas). */
export function newRSReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const current = specReplicas(newRS);
  if (d.spec.strategy?.type === 'Recreate') return specReplicas(d);
  const maxTotal = specReplicas(d) + maxSurge(d);
  const podCount = sum(all, specReplicas);
  if (podCount >= maxTotal) return current;
  return current + Math.min(maxTotal - podCount, specReplicas(d) - current);
}

/** Scales the new ReplicaSet up (bounded by maxSurge) or down to spec.replicas; true when it changed. */
export function reconcileNewRS(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): boolean {
  const want = specReplicas(d);
  const now = specReplicas(newRS);
  if (now === want) return false;
  const next = now > want ? want : newRSReplicas(d, all, newRS);
  if (next === now) return false;
  scaleTo(d, newRS, next);
  return true;
}

/**
 * Scales old ReplicaSets down as far as maxUnavailable allows (reconcileOldReplicaSets): first
 * their unavailable pods, then available ones, oldest ReplicaSet first. True when any changed.
 */
export function reconcileOldRSs(d: Deployment, all: ReplicaSet[], olds: ReplicaSet[], newRS: ReplicaSet): boolean {
  const oldActive = active(olds).sort(byCreation);
  if (sum(oldActive, specReplicas) === 0) return false;
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - available(newRS);
  const maxScaledDown = sum(all, specReplicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let changed = false;
  let cleaned = 0;
  for (const rs of oldActive) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = specReplicas(rs) - available(rs);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    scaleTo(d, rs, specReplicas(rs) - n);
    cleaned += n;
    changed = true;
  }
  const availableNow = sum(all, available);
  if (availableNow <= minAvailable) return changed;
  const total = availableNow - minAvailable;
  let scaled = 0;
  for (const rs of oldActive) {
    if (scaled >= total) break;
    if (specReplicas(rs) === 0) continue;
    const n = Math.min(specReplicas(rs), total - scaled);
    scaleTo(d, rs, specReplicas(rs) - n);
    scaled += n;
    changed = true;
  }
  return changed;
}

/**
 * A change of spec.replicas outside a rollout step (upstream's scale): one active ReplicaSet
 * takes the whole size; with a saturated new ReplicaSet the old ones go to 0; otherwise the
 * difference is spread over the active ReplicaSets in proportion to their size (proportional
 * scaling), the rounding leftover going to the largest. True when any changed.
 */
export function scale(d: Deployment, newRS: ReplicaSet | undefined, olds: ReplicaSet[]): boolean {
  const all = [...(newRS ? [newRS] : []), ...olds];
  const act = active(all);
  const target = act.length === 1 ? act[0] : act.length === 0 ? newRS ?? [...olds].sort(byCreation).at(-1) : undefined;
  if (target) {
    if (specReplicas(target) === specReplicas(d)) return false;
    scaleTo(d, target, specReplicas(d));
    return true;
  }
  if (newRS && isSaturated(d, newRS)) {
    for (const rs of active(olds)) scaleTo(d, rs, 0);
    return active(olds).length > 0;
  }
  if (d.spec.strategy?.type === 'Recreate') return false;
  const allowed = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sum(act, specReplicas);
  const order = [...act].sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? -byCreation(a, b) : byCreation(a, b)));
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of order) {
    const p = toAdd === 0 ? 0 : proportion(d, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  if (toAdd !== 0 && order[0]) sizes.set(order[0], Math.max(0, sizes.get(order[0])! + toAdd - added));
  let changed = false;
  for (const rs of order) {
    const size = sizes.get(rs)!;
    if (size !== specReplicas(rs) || annotationsStale(d, rs)) {
      scaleTo(d, rs, size);
      changed = true;
    }
  }
  return changed;
}

function annotationsStale(d: Deployment, rs: ReplicaSet): boolean {
  return Object.entries(replicaAnnotations(d)).some(([k, v]) => rs.metadata.annotations?.[k] !== v);
}

function proportion(d: Deployment, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  let fraction: number;
  if (specReplicas(d) === 0) fraction = -specReplicas(rs);
  else {
    const annotated = Number(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'] ?? NaN);
    const base = Number.isFinite(annotated) && annotated > 0 ? annotated : d.status?.replicas ?? 0;
    fraction = base > 0 ? Math.round((specReplicas(rs) * (specReplicas(d) + maxSurge(d))) / base) - specReplicas(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The new ReplicaSet has all replicas, all available, for the current size (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet): boolean {
  const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
  return specReplicas(rs) === specReplicas(d) && desired === String(specReplicas(d)) && available(rs) === specReplicas(d);
}

/** Any ReplicaSet was last scaled for another spec.replicas (isScalingEvent). */
export function isScalingEvent(d: Deployment, all: ReplicaSet[]): boolean {
  return active(all).some((rs) => {
    const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
    return desired !== undefined && desired !== String(specReplicas(d));
  });
}
