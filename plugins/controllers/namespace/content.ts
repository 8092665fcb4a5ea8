import type { KubeObject } from '../../../internal/api/index.js';
import { groupResourceKey, resourcesSupporting, type ServedResource } from '../shared/resources.js';
import type { DeletionOutcome } from './conditions.js';

/** Seconds assumed for finalizers to finish when remaining objects carry some (upstream's figure). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** The resources whose content a namespace deletion removes: namespaced, listable and deletable. */
export function namespacedContentResources(served: ServedResource[]): ServedResource[] {
  return resourcesSupporting(served, ['list', 'delete']).filter((r) => r.namespaced);
}

/** A pass's findings for one resource: what is left after the deletes, or the error. */
export type ResourcePass = { resource: ServedResource; remaining: KubeObject[] } | { resource: ServedResource; error: string };

/**
 * Sums up one pass over every resource: the errors, the objects left per resource and per
 * finalizer, and an estimate of the seconds until they go (the longest pod grace period still
 * running, or FINALIZER_ESTIMATE_SECONDS for objects held by finalizers).
 */
export function summarize(passes: ResourcePass[], now: number): DeletionOutcome & { estimateSeconds: number } {
  const out: DeletionOutcome & { estimateSeconds: number } = { errors: [], remaining: {}, finalizers: {}, estimateSeconds: 0 };
  for (const p of passes) {
    if ('error' in p) {
      out.errors.push(p.error);
      continue;
    }
    if (p.remaining.length === 0) continue;
    out.remaining[groupResourceKey(p.resource)] = p.remaining.length;
    for (const obj of p.remaining) {
      const finalizers = obj.metadata.finalizers ?? [];
      for (const f of finalizers) out.finalizers[f] = (out.finalizers[f] ?? 0) + 1;
      out.estimateSeconds = Math.max(out.estimateSeconds, estimate(obj, finalizers.length > 0, now));
    }
  }
  return out;
}

function estimate(obj: KubeObject, hasFinalizers: boolean, now: number): number {
  const ts = obj.metadata.deletionTimestamp;
  const graceLeft = ts ? Math.ceil((Date.parse(ts) - now) / 1000) : 0;
  return Math.max(graceLeft, hasFinalizers ? FINALIZER_ESTIMATE_SECONDS : 1);
}

/** spec.finalizers without `kubernetes` (sorted and deduplicated, as upstream's finalize writes them). */
export function finalizersWithout(ns: KubeObject, token: string): string[] {
  const spec = (ns.spec ?? {}) as { finalizers?: string[] };
  return [...new Set((spec.finalizers ?? []).filter((f) => f !== token))].sort();
}
