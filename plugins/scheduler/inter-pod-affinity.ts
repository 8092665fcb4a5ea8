import type { NodeInfo } from './node-info.js';
import type { PodAffinityTerm, PodInfo } from './pod-info.js';
import { isTerminating, selectorQuery, type Snapshot } from './snapshot.js';

/** Counts per "topologyKey=value" pair, as upstream's topologyToMatchedTermCount. */
type PairCounts = Map<string, number>;

export interface AffinityState {
  /** Existing pods' required anti-affinity terms that match the incoming pod. */
  existingAnti: PairCounts;
  /** The incoming pod's required affinity terms: per term, pairs with a matching pod. */
  affinity: PairCounts[];
  affinityAnyMatch: boolean;
  anti: PairCounts;
}

/** Whether a term (owned by a pod in ownerNs) selects pod p. */
export function termMatchesPod(term: PodAffinityTerm, ownerNs: string, p: PodInfo, snap: Snapshot): boolean {
  if (term.namespaceSelector) {
    const inList = term.namespaces?.includes(p.namespace) ?? false;
    const labels = snap.namespaceLabels(p.namespace);
    const bySelector = labels !== undefined && selectorQuery(term.namespaceSelector).matches(labels);
    if (!inList && !bySelector) return false;
  } else if (term.namespaces && term.namespaces.length > 0) {
    if (!term.namespaces.includes(p.namespace)) return false;
  } else if (p.namespace !== ownerNs) return false;
  return selectorQuery(term.labelSelector).matches(p.labels);
}

function bump(m: PairCounts, node: NodeInfo, key: string, by = 1): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const k = `${key}=${v}`;
  m.set(k, (m.get(k) ?? 0) + by);
}

function hasPair(m: PairCounts, node: NodeInfo, key: string): boolean {
  const v = node.labels[key];
  return v !== undefined && (m.get(`${key}=${v}`) ?? 0) > 0;
}

/** InterPodAffinity PreFilter; undefined when neither the pod nor any existing pod has terms. */
export function affinityPreFilter(pod: PodInfo, snap: Snapshot): AffinityState | undefined {
  const req = pod.affinity.podRequired ?? [];
  const anti = pod.affinity.antiRequired ?? [];
  if (req.length === 0 && anti.length === 0 && snap.affinityPodCount() === 0) return undefined;
  const state: AffinityState = { existingAnti: new Map(), affinity: req.map(() => new Map()), affinityAnyMatch: false, anti: new Map() };
  let any = req.length > 0 || anti.length > 0;
  for (const node of snap.nodes) {
    if (node.podsWithAffinity > 0) {
      for (const p of node.pods.values()) {
        for (const t of p.affinity.antiRequired ?? []) if (termMatchesPod(t, p.namespace, pod, snap)) bump(state.existingAnti, node, t.topologyKey);
      }
      any = true;
    }
    if (req.length === 0 && anti.length === 0) continue;
    for (const p of node.pods.values()) {
      if (isTerminating(p)) continue;
      req.forEach((t, i) => {
        if (termMatchesPod(t, pod.namespace, p, snap)) {
          bump(state.affinity[i]!, node, t.topologyKey);
          state.affinityAnyMatch = true;
        }
      });
      for (const t of anti) if (termMatchesPod(t, pod.namespace, p, snap)) bump(state.anti, node, t.topologyKey);
    }
  }
  return any ? state : undefined;
}

export function affinityFilter(pod: PodInfo, state: AffinityState | undefined, node: NodeInfo, snap: Snapshot): string[] | undefined {
  if (!state) return undefined;
  for (const [k] of state.existingAnti) {
    const [key, value] = splitPair(k);
    if (node.labels[key] === value && state.existingAnti.get(k)! > 0) return ["node(s) didn't satisfy existing pods anti-affinity rules"];
  }
  const req = pod.affinity.podRequired ?? [];
  if (req.length > 0) {
    const all = req.every((t, i) => hasPair(state.affinity[i]!, node, t.topologyKey));
    // The first pod of a group that selects itself may go anywhere its terms' keys exist.
    const selfOk = !state.affinityAnyMatch && req.every((t) => termMatchesPod(t, pod.namespace, pod, snap) && node.labels[t.topologyKey] !== undefined);
    if (!all && !selfOk) return ["node(s) didn't match pod affinity rules"];
  }
  for (const t of pod.affinity.antiRequired ?? []) if (hasPair(state.anti, node, t.topologyKey)) return ["node(s) didn't match pod anti-affinity rules"];
  return undefined;
}

function splitPair(k: string): [string, string] {
  const i = k.indexOf('=');
  return [k.slice(0, i), k.slice(i + 1)];
}

/**
 * InterPodAffinity score (raw, higher is better): weights of the incoming pod's preferred terms
 * matched by pods in the node's domain (anti-affinity subtracts), and symmetrically existing pods'
 * preferred terms (and required affinity, weight 1) that match the incoming pod.
 */
export function affinityScores(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot): number[] | undefined {
  const pref = pod.affinity.podPreferred ?? [];
  const antiPref = pod.affinity.antiPreferred ?? [];
  const own = pref.length + antiPref.length > 0;
  if (!own && snap.affinityPodCount() === 0) return undefined;
  const pairs: PairCounts = new Map();
  let any = own;
  for (const node of snap.nodes) {
    if (!own && node.podsWithAffinity === 0) continue;
    for (const p of node.pods.values()) {
      if (isTerminating(p)) continue;
      for (const w of pref) if (termMatchesPod(w.podAffinityTerm, pod.namespace, p, snap)) bump(pairs, node, w.podAffinityTerm.topologyKey, w.weight);
      for (const w of antiPref) if (termMatchesPod(w.podAffinityTerm, pod.namespace, p, snap)) bump(pairs, node, w.podAffinityTerm.topologyKey, -w.weight);
      if (node.podsWithAffinity === 0) continue;
      any = true;
      for (const w of p.affinity.podPreferred ?? []) if (termMatchesPod(w.podAffinityTerm, p.namespace, pod, snap)) bump(pairs, node, w.podAffinityTerm.topologyKey, w.weight);
      for (const w of p.affinity.antiPreferred ?? []) if (termMatchesPod(w.podAffinityTerm, p.namespace, pod, snap)) bump(pairs, node, w.podAffinityTerm.topologyKey, -w.weight);
      for (const t of p.affinity.podRequired ?? []) if (termMatchesPod(t, p.namespace, pod, snap)) bump(pairs, node, t.topologyKey, 1);
    }
  }
  if (!any || pairs.size === 0) return undefined;
  return nodes.map((node) => {
    let s = 0;
    for (const [k, w] of pairs) {
      const [key, value] = splitPair(k);
      if (node.labels[key] === value) s += w;
    }
    return s;
  });
}
