// Node selection (core/v1 NodeSelector and the Taint/Toleration pair): what decides whether a pod
// may go to a node. The scheduler's filters and the DaemonSet controller's placement share it, so
// both read a pod's nodeSelector, required node affinity and tolerations alike.

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** What a node selector reads of a node. */
export interface SelectableNode {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** A base-10 int64 as Go's strconv.ParseInt reads it (optional sign, digits only), else undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/**
 * One requirement against a value (undefined = label absent), as upstream's labels.Requirement:
 * NotIn and DoesNotExist match an absent label; Gt/Lt need exactly one value and both sides
 * integers, else they do not match; an unknown operator matches nothing.
 */
export function nodeRequirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
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
      const a = parseInt64(value);
      const b = parseInt64(values[0]!);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term: every expression (labels) and field (only metadata.name exists) matches; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: SelectableNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeRequirementMatches(r, node.labels[r.key])) return false;
  for (const r of fields) if (!nodeRequirementMatches(r, r.key === 'metadata.name' ? node.name : undefined)) return false;
  return true;
}

/**
 * A pod's nodeSelector (every label equal) and required node affinity (some term matches; a
 * present but empty term list matches no node) together, as the NodeAffinity filter checks them.
 */
export function podFitsNodeSelector(nodeSelector: Readonly<Record<string, string>> | undefined, requiredTerms: readonly NodeSelectorTerm[] | undefined, node: SelectableNode): boolean {
  for (const k in nodeSelector) if (node.labels[k] !== nodeSelector[k]) return false;
  if (requiredTerms && !requiredTerms.some((t) => nodeSelectorTermMatches(t, node))) return false;
  return true;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/**
 * Upstream's Toleration.ToleratesTaint: the effect matches (empty = all), the key matches (empty
 * key only with Exists, which then tolerates every taint), and Exists or an equal value.
 */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  if (t.operator && t.operator !== 'Equal') return false;
  return (t.value ?? '') === (taint.value ?? '');
}
