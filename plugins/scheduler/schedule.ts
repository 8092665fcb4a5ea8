import type { Rand } from '../../internal/util/index.js';
import { affinityFilter, affinityPreFilter, affinityScores } from './inter-pod-affinity.js';
import { addPod, nodeInfoOf, type NodeInfo } from './node-info.js';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';
import { balancedAllocationScore, leastAllocatedScore, nodePortsFilter, resourcesFitFilter } from './node-resources.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import { nodeNameFilter, taintFilter, taintScore, unschedulableFilter } from './taint-toleration.js';
import { spreadFilter, spreadPreFilter, spreadScores } from './topology-spread.js';

/** Why a pod fits no node: reasons with how many nodes gave each, and per node. */
export interface Diagnosis {
  numAllNodes: number;
  reasons: Map<string, number>;
  nodeReasons: Map<string, string[]>;
  /** Nodes that removing pods cannot help (affinity, taints, name, cordon): preemption skips them. */
  unresolvable: Set<string>;
}

export type ScheduleResult =
  | { nodeName: string; feasible: number; evaluated: number; nextStart: number }
  | { diagnosis: Diagnosis; nextStart: number };

export interface ScheduleOptions {
  /** Where the search for feasible nodes starts (rotates between pods, as upstream). */
  start: number;
  /** 0 = upstream's adaptive percentage (50% minus 1% per 125 nodes, at least 5%). */
  percentageOfNodesToScore?: number;
  rand: Rand;
}

const UNRESOLVABLE = new Set([
  "node(s) didn't match the requested node name",
  'node(s) were unschedulable',
  "node(s) didn't match Pod's node affinity/selector",
  "node(s) didn't match pod topology spread constraints (missing required label)",
  "node(s) didn't match pod affinity rules",
]);

/** How many feasible nodes are enough before scoring (upstream numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(100, Math.floor((numAllNodes * pct) / 100));
}

/**
 * The filters with the node's nominated pods (upstream's RunFilterPluginsWithNominatedPods): pods
 * nominated there with a priority at least the pod's (not the pod itself) count as if bound, and
 * the pod must fit both with them and, when there were any, without them (they may go elsewhere).
 * Spreading and inter-pod affinity state are not recomputed with them.
 */
export function filterWithNominated(pod: PodInfo, node: NodeInfo, snap: Snapshot, state: CycleState): string[] | undefined {
  const nominated = snap.nominatedPods?.(node.name);
  if (!nominated || nominated.length === 0) return filterNode(pod, node, snap, state);
  let withNominated: NodeInfo | undefined;
  for (const p of nominated) {
    if (p.priority < pod.priority || p.key === pod.key) continue;
    withNominated ??= copyNode(node);
    addPod(withNominated, { ...p, nodeName: node.name });
  }
  if (!withNominated) return filterNode(pod, node, snap, state);
  return filterNode(pod, withNominated, snap, state) ?? filterNode(pod, node, snap, state);
}

/** A node info with the same Node and pods, to add or remove pods in a what-if. */
export function copyNode(node: NodeInfo, except?: ReadonlySet<string>): NodeInfo {
  const copy = nodeInfoOf(node.node);
  for (const p of node.pods.values()) if (!except?.has(p.key)) addPod(copy, p);
  return copy;
}

/** Runs every filter in upstream's order; the first that fails gives the node's reasons. */
export function filterNode(pod: PodInfo, node: NodeInfo, snap: Snapshot, state: CycleState): string[] | undefined {
  return (
    unschedulableFilter(pod, node) ??
    nodeNameFilter(pod, node) ??
    taintFilter(pod, node) ??
    nodeAffinityFilter(pod, node) ??
    nodePortsFilter(pod, node) ??
    resourcesFitFilter(pod, node) ??
    spreadFilter(state.spread, node) ??
    affinityFilter(pod, state.affinity, node, snap)
  );
}

export interface CycleState {
  spread: ReturnType<typeof spreadPreFilter>;
  affinity: ReturnType<typeof affinityPreFilter>;
}

export function preFilter(pod: PodInfo, snap: Snapshot): CycleState {
  return { spread: spreadPreFilter(pod, snap), affinity: affinityPreFilter(pod, snap) };
}

/** One scheduling cycle for a pod: filter, score, pick. Pure over the snapshot. */
export function schedulePod(pod: PodInfo, snap: Snapshot, opts: ScheduleOptions): ScheduleResult {
  const all = snap.nodes;
  const n = all.length;
  const want = numFeasibleNodesToFind(n, opts.percentageOfNodesToScore);
  const state = preFilter(pod, snap);
  const feasible: NodeInfo[] = [];
  const diagnosis: Diagnosis = { numAllNodes: n, reasons: new Map(), nodeReasons: new Map(), unresolvable: new Set() };
  let evaluated = 0;
  const start = n > 0 ? opts.start % n : 0;
  for (; evaluated < n && feasible.length < want; evaluated++) {
    const node = all[(start + evaluated) % n]!;
    const reasons = filterWithNominated(pod, node, snap, state);
    if (!reasons) {
      feasible.push(node);
      continue;
    }
    diagnosis.nodeReasons.set(node.name, reasons);
    for (const r of reasons) diagnosis.reasons.set(r, (diagnosis.reasons.get(r) ?? 0) + 1);
    if (reasons.some((r) => UNRESOLVABLE.has(r) || r.startsWith('node(s) had untolerated taint'))) diagnosis.unresolvable.add(node.name);
  }
  const nextStart = n > 0 ? (start + evaluated) % n : 0;
  if (feasible.length === 0) return { diagnosis, nextStart };
  if (feasible.length === 1) return { nodeName: feasible[0]!.name, feasible: 1, evaluated, nextStart };
  const totals = scoreNodes(pod, feasible, snap);
  return { nodeName: pickHighest(feasible, totals, opts.rand), feasible: feasible.length, evaluated, nextStart };
}

/** Weighted sum of the normalized scores (weights as upstream's default profile). */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot): number[] {
  const totals = nodes.map((node) => leastAllocatedScore(pod, node) + balancedAllocationScore(pod, node));
  addWeighted(totals, normalize(nodes.map((node) => taintScore(pod, node)), true), 3);
  if (pod.affinity.nodePreferred) addWeighted(totals, normalize(nodes.map((node) => nodeAffinityScore(pod, node)), false), 2);
  const spread = spreadScores(pod, nodes, snap);
  if (spread) addWeighted(totals, normalizeSpread(spread), 2);
  const affinity = affinityScores(pod, nodes, snap);
  if (affinity) addWeighted(totals, normalizeMinMax(affinity), 2);
  return totals;
}

function addWeighted(totals: number[], scores: number[], weight: number): void {
  for (let i = 0; i < totals.length; i++) totals[i]! += scores[i]! * weight;
}

/** Upstream DefaultNormalizeScore: scale to 0–100 by the maximum, optionally reversed. */
export function normalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? 100 : 0));
  return raw.map((s) => {
    const v = Math.floor((100 * s) / max);
    return reverse ? 100 - v : v;
  });
}

function normalizeMinMax(raw: number[]): number[] {
  const max = Math.max(...raw);
  const min = Math.min(...raw);
  if (max === min) return raw.map(() => 0);
  return raw.map((s) => Math.floor((100 * (s - min)) / (max - min)));
}

/** PodTopologySpread's normalize: fewer matching pods is better; ignored nodes get 0. */
function normalizeSpread(raw: (number | undefined)[]): number[] {
  const present = raw.filter((s): s is number => s !== undefined);
  if (present.length === 0) return raw.map(() => 0);
  const max = Math.max(...present);
  const min = Math.min(...present);
  return raw.map((s) => (s === undefined ? 0 : max === 0 ? 100 : Math.floor((100 * (max + min - s)) / max)));
}

/** The node with the highest total; ties broken uniformly at random (reservoir sampling). */
function pickHighest(nodes: readonly NodeInfo[], totals: number[], rand: Rand): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i]! > totals[best]!) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (rand() * ties < 1) best = i;
    }
  }
  return nodes[best]!.name;
}

/**
 * Upstream FitError's text: "0/3 nodes are available: 1 node(s) had untolerated taint {k: v},
 * 2 Insufficient cpu." with "count reason" items sorted as strings, then the preemption part.
 */
export function fitErrorMessage(d: Diagnosis, postFilter?: string): string {
  const items = [...d.reasons].map(([r, c]) => `${c} ${r}`).sort();
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (items.length > 0) msg += ` ${items.join(', ')}.`;
  if (postFilter) msg += ` ${postFilter}.`;
  return msg;
}
