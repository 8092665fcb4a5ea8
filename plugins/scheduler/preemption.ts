import type { LabelQuery } from '../../internal/api/index.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import { copyNode, filterWithNominated, preFilter, type Diagnosis } from './schedule.js';
import type { Snapshot } from './snapshot.js';

/** A PodDisruptionBudget as preemption reads it. */
export interface PdbInfo {
  namespace: string;
  selector: LabelQuery;
  disruptionsAllowed: number;
}

export interface Candidate {
  nodeName: string;
  victims: PodInfo[];
  pdbViolations: number;
}

export type PreemptionResult = { candidate: Candidate } | { message: string };

/** Enough candidates to choose well without dry-running every node (upstream's 100-node floor). */
const MAX_CANDIDATES = 100;

/**
 * Priority preemption (upstream DefaultPreemption), pure: not while a pod nominated earlier still
 * waits for a lower-priority victim to terminate on its nominated node; on each node where removing pods could
 * help, remove every lower-priority pod, check the preemptor fits, then reprieve victims (PDB-covered
 * first, highest priority first) while it still fits. Picks the candidate with the fewest PDB
 * violations, then the lowest highest-victim priority, lowest priority sum, fewest victims.
 */
export function preempt(pod: PodInfo, snap: Snapshot, diagnosis: Diagnosis, pdbs: PdbInfo[], nominatedNode?: string): PreemptionResult {
  if (pod.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never' };
  // A preemptor whose earlier victims are still terminating waits for them instead of preempting more.
  const nominated = nominatedNode ? snap.get(nominatedNode) : undefined;
  if (nominated && [...nominated.pods.values()].some((p) => p.pod.metadata.deletionTimestamp && p.priority < pod.priority)) {
    return { message: 'preemption: not eligible due to a terminating pod on the nominated node' };
  }
  const reasons = new Map<string, number>();
  const note = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const candidates: Candidate[] = [];
  const state = preFilter(pod, snap);
  for (const node of snap.nodes) {
    if (candidates.length >= MAX_CANDIDATES) break;
    if (diagnosis.unresolvable.has(node.name)) {
      note('Preemption is not helpful for scheduling');
      continue;
    }
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (lower.length === 0) {
      note('No preemption victims found for incoming pod');
      continue;
    }
    const c = victimsOn(pod, node, lower, snap, state, pdbs);
    if ('reasons' in c) c.reasons.forEach(note);
    else candidates.push(c);
  }
  if (candidates.length === 0) {
    const items = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
    return { message: `preemption: 0/${snap.nodes.length} nodes are available: ${items.join(', ')}.` };
  }
  return { candidate: best(candidates) };
}

function victimsOn(pod: PodInfo, node: NodeInfo, lower: PodInfo[], snap: Snapshot, state: ReturnType<typeof preFilter>, pdbs: PdbInfo[]): Candidate | { reasons: string[] } {
  const removed = new Set(lower.map((p) => p.key));
  const fails = filterWithNominated(pod, copyNode(node, removed), snap, state);
  if (fails) return { reasons: fails };
  const allowed = new Map(pdbs.map((b) => [b, b.disruptionsAllowed]));
  const violating = (p: PodInfo) => pdbs.some((b) => b.namespace === p.namespace && b.selector.matches(p.labels));
  const byPriority = (a: PodInfo, b: PodInfo) => b.priority - a.priority || a.createdAt - b.createdAt;
  const ordered = [...lower.filter(violating).sort(byPriority), ...lower.filter((p) => !violating(p)).sort(byPriority)];
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  for (const p of ordered) {
    removed.delete(p.key);
    if (!filterWithNominated(pod, copyNode(node, removed), snap, state)) continue; // reprieved
    removed.add(p.key);
    victims.push(p);
    for (const b of pdbs) {
      if (b.namespace !== p.namespace || !b.selector.matches(p.labels)) continue;
      const left = allowed.get(b)! - 1;
      allowed.set(b, left);
      if (left < 0) pdbViolations++;
    }
  }
  return { nodeName: node.name, victims, pdbViolations };
}

function best(cs: Candidate[]): Candidate {
  const maxPriority = (c: Candidate) => Math.max(...c.victims.map((v) => v.priority));
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority, 0);
  return [...cs].sort((a, b) => a.pdbViolations - b.pdbViolations || maxPriority(a) - maxPriority(b) || sum(a) - sum(b) || a.victims.length - b.victims.length)[0]!;
}
