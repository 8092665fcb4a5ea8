import type { NodeInfo } from './node-info.js';
import { matchesNodeSelectorAndAffinity } from './node-affinity.js';
import type { PodInfo, TopologySpreadConstraint } from './pod-info.js';
import { isTerminating, selectorQuery, type Snapshot } from './snapshot.js';
import { taintFilter } from './taint-toleration.js';

/** Counts of matching pods per topology value, per hard constraint, and the minimum of each. */
export interface SpreadState {
  constraints: TopologySpreadConstraint[];
  counts: Map<string, number>[];
  min: number[];
  self: number[];
}

const MISSING = ["node(s) didn't match pod topology spread constraints (missing required label)"];
const SKEW = ["node(s) didn't match pod topology spread constraints"];

/** Whether a node takes part in spreading for this pod (nodeAffinityPolicy / nodeTaintsPolicy). */
function eligible(pod: PodInfo, c: TopologySpreadConstraint, node: NodeInfo): boolean {
  if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !matchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && taintFilter(pod, node)) return false;
  return true;
}

function countMatching(pod: PodInfo, c: TopologySpreadConstraint, node: NodeInfo): number {
  const q = selectorQuery(c.labelSelector);
  let n = 0;
  for (const p of node.pods.values()) if (p.namespace === pod.namespace && !isTerminating(p) && q.matches(p.labels)) n++;
  return n;
}

/** PodTopologySpread PreFilter: counts over every eligible node for the DoNotSchedule constraints. */
export function spreadPreFilter(pod: PodInfo, snap: Snapshot): SpreadState | undefined {
  const constraints = pod.spreadConstraints.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of snap.nodes) {
    if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
    constraints.forEach((c, i) => {
      if (!eligible(pod, c, node)) return;
      const v = node.labels[c.topologyKey]!;
      counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countMatching(pod, c, node));
    });
  }
  const min = constraints.map((c, i) => {
    const m = counts[i]!;
    if (m.size === 0 || m.size < (c.minDomains ?? 1)) return 0;
    return Math.min(...m.values());
  });
  const self = constraints.map((c) => (selectorQuery(c.labelSelector).matches(pod.labels) ? 1 : 0));
  return { constraints, counts, min, self };
}

export function spreadFilter(state: SpreadState | undefined, node: NodeInfo): string[] | undefined {
  if (!state) return undefined;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    const v = node.labels[c.topologyKey];
    if (v === undefined) return MISSING;
    const skew = (state.counts[i]!.get(v) ?? 0) + state.self[i]! - state.min[i]!;
    if (skew > c.maxSkew) return SKEW;
  }
  return undefined;
}

/** Upstream's system default constraints, used for scoring when a pod declares none. */
const DEFAULT_SOFT = [
  { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 5 },
  { topologyKey: 'kubernetes.io/hostname', maxSkew: 3 },
];

/**
 * PodTopologySpread score (raw, lower is better): for each ScheduleAnyway constraint, the pods
 * matching it in the node's domain, weighted by log(domains + 2). A pod without constraints is
 * spread by the default ones over the pods of its own controller. Nodes missing a key score
 * undefined (ignored, 0 after normalizing).
 */
export function spreadScores(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot): (number | undefined)[] | undefined {
  const soft = pod.spreadConstraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  if (pod.spreadConstraints.length === 0 && pod.controllerUid) return defaultSpreadScores(pod, nodes, snap);
  if (soft.length === 0) return undefined;
  const counts = soft.map(() => new Map<string, number>());
  for (const node of snap.nodes) {
    soft.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined || !eligible(pod, c, node)) return;
      counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countMatching(pod, c, node));
    });
  }
  const weights = counts.map((m) => Math.log(m.size + 2));
  return nodes.map((node) => {
    let s = 0;
    for (let i = 0; i < soft.length; i++) {
      const v = node.labels[soft[i]!.topologyKey];
      if (v === undefined) return undefined;
      s += (counts[i]!.get(v) ?? 0) * weights[i]! + (soft[i]!.maxSkew - 1);
    }
    return s;
  });
}

function defaultSpreadScores(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot): (number | undefined)[] {
  const byNode = snap.podsByController(pod.controllerUid) ?? new Map<string, number>();
  const zones = new Map<string, number>();
  for (const [name, n] of byNode) {
    const z = snap.get(name)?.labels[DEFAULT_SOFT[0]!.topologyKey];
    if (z !== undefined) zones.set(z, (zones.get(z) ?? 0) + n);
  }
  const zoneWeight = Math.log(countZones(snap) + 2);
  const hostWeight = Math.log(snap.nodes.length + 2);
  return nodes.map((node) => {
    const zone = node.labels[DEFAULT_SOFT[0]!.topologyKey];
    let s = (byNode.get(node.name) ?? 0) * hostWeight + (DEFAULT_SOFT[1]!.maxSkew - 1);
    if (zone !== undefined) s += (zones.get(zone) ?? 0) * zoneWeight + (DEFAULT_SOFT[0]!.maxSkew - 1);
    return s;
  });
}

const zoneCounts = new WeakMap<readonly NodeInfo[], number>();

function countZones(snap: Snapshot): number {
  let n = zoneCounts.get(snap.nodes);
  if (n === undefined) {
    n = new Set(snap.nodes.map((x) => x.labels[DEFAULT_SOFT[0]!.topologyKey]).filter((z) => z !== undefined)).size;
    zoneCounts.set(snap.nodes, n);
  }
  return n;
}
