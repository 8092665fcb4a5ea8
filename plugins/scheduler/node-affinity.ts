import type { NodeInfo } from './node-info.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodInfo } from './pod-info.js';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0]!, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: all expressions and fields match; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, node.labels[r.key])) return false;
  for (const r of fields) if (!requirementMatches(r, r.key === 'metadata.name' ? node.name : undefined)) return false;
  return true;
}

/** nodeSelector and required node affinity together, as the NodeAffinity filter checks them. */
export function matchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeInfo): boolean {
  for (const k in pod.nodeSelector) if (node.labels[k] !== pod.nodeSelector[k]) return false;
  const terms = pod.affinity.nodeRequired;
  if (terms && !terms.some((t) => termMatches(t, node))) return false;
  return true;
}

export function nodeAffinityFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  return matchesNodeSelectorAndAffinity(pod, node) ? undefined : ["node(s) didn't match Pod's node affinity/selector"];
}

/** NodeAffinity score (raw): the sum of weights of preferred terms the node matches. */
export function nodeAffinityScore(pod: PodInfo, node: NodeInfo): number {
  let s = 0;
  for (const p of pod.affinity.nodePreferred ?? []) if (p.weight && termMatches(p.preference, node)) s += p.weight;
  return s;
}
