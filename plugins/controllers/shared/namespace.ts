import type { KubeObject } from '../../../internal/api/index.js';

/** True for a namespace that accepts new objects: not being deleted (upstream: phase Active). */
export function namespaceActive(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && phase !== 'Terminating';
}
