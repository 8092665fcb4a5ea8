import { labelSelectorAsQuery, type LabelQuery, type LabelSelector } from '../../internal/api/index.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/**
 * The cluster as one scheduling cycle sees it: nodes with their bound and assumed pods. A cycle
 * runs synchronously, so the scheduler cache itself serves as the snapshot.
 */
export interface Snapshot {
  /** Every node, in a stable order (the search for feasible nodes rotates through it). */
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Labels of a namespace, for namespaceSelector in pod affinity terms; undefined if unknown. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** How many pods with pod (anti-)affinity terms there are: none lets InterPodAffinity skip its scans. */
  affinityPodCount(): number;
  /** Nodes holding pods of a controller (by its uid) and how many, for the default spreading. */
  podsByController(uid: string): ReadonlyMap<string, number> | undefined;
  /** Pods nominated to a node by preemption and not bound yet (none when absent). */
  nominatedPods?(node: string): readonly PodInfo[];
}

/** A plain snapshot over a list of nodes, for tests and preemption's what-if runs. */
export function snapshotOf(nodes: NodeInfo[], namespaces: Record<string, Record<string, string>> = {}, nominated: Record<string, PodInfo[]> = {}): Snapshot {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    nominatedPods: (node) => nominated[node] ?? [],
    nodes,
    get: (name) => byName.get(name),
    namespaceLabels: (ns) => namespaces[ns],
    affinityPodCount: () => nodes.reduce((n, x) => n + x.podsWithAffinity, 0),
    podsByController(uid) {
      const out = new Map<string, number>();
      for (const n of nodes) for (const p of n.pods.values()) if (p.controllerUid === uid) out.set(n.name, (out.get(n.name) ?? 0) + 1);
      return out;
    },
  };
}

const queries = new WeakMap<object, LabelQuery>();

/** A label selector as a query, memoized per selector object (selectors come from immutable pods). */
export function selectorQuery(sel: LabelSelector | undefined): LabelQuery {
  if (!sel) return labelSelectorAsQuery(undefined);
  let q = queries.get(sel);
  if (!q) {
    try {
      q = labelSelectorAsQuery(sel);
    } catch {
      q = labelSelectorAsQuery(undefined);
    }
    queries.set(sel, q);
  }
  return q;
}

/** A terminating pod no longer counts for spreading and affinity, as upstream. */
export function isTerminating(p: PodInfo): boolean {
  return p.pod.metadata.deletionTimestamp !== undefined;
}
