import type { KubeObject } from '../../internal/api/index.js';
import { addPod, nodeInfoOf, removePod, setNode, type NodeInfo } from './node-info.js';
import { Nominator } from './nominator.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';

/**
 * The scheduler's view of the cluster: nodes and the pods bound to them, plus pods assumed on a
 * node while their binding is in flight (so the next cycle already counts them). Pods of nodes
 * not seen yet wait until the node appears. Serves as the Snapshot of each cycle.
 */
export class SchedulerCache implements Snapshot {
  nodes: NodeInfo[] = [];
  private readonly byName = new Map<string, NodeInfo>();
  /** Where each known pod is, and whether it is only assumed. */
  private readonly podNode = new Map<string, { node: string; assumed: boolean; controllerUid: string }>();
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  private readonly byController = new Map<string, Map<string, number>>();
  private readonly namespaces = new Map<string, Record<string, string>>();
  /** Nodes with at least one pod with affinity terms (kept small: most pods have none). */
  private readonly nodesWithAffinity = new Set<NodeInfo>();
  /** Pods nominated by preemption, waiting for their next attempt. */
  readonly nominator = new Nominator();

  nominatedPods(node: string): readonly PodInfo[] {
    return this.nominator.podsOn(node);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.namespaces.get(namespace);
  }

  affinityPodCount(): number {
    let n = 0;
    for (const info of this.nodesWithAffinity) n += info.podsWithAffinity;
    return n;
  }

  podsByController(uid: string): ReadonlyMap<string, number> | undefined {
    return this.byController.get(uid);
  }

  setNamespace(ns: KubeObject): void {
    this.namespaces.set(ns.metadata.name ?? '', ns.metadata.labels ?? {});
  }

  deleteNamespace(name: string): void {
    this.namespaces.delete(name);
  }

  /** Adds or updates a node; returns true when it is new. */
  setNode(node: KubeObject): boolean {
    const name = node.metadata.name ?? '';
    const info = this.byName.get(name);
    if (info) {
      setNode(info, node);
      this.nodes = [...this.nodes]; // new identity: memos keyed on the node list refresh
      return false;
    }
    const fresh = nodeInfoOf(node);
    for (const p of this.orphans.get(name)?.values() ?? []) addPod(fresh, p);
    this.orphans.delete(name);
    if (fresh.podsWithAffinity > 0) this.nodesWithAffinity.add(fresh);
    this.byName.set(name, fresh);
    this.nodes = [...this.nodes, fresh];
    return true;
  }

  deleteNode(name: string): void {
    const info = this.byName.get(name);
    if (!info) return;
    this.byName.delete(name);
    this.nodesWithAffinity.delete(info);
    this.nodes = this.nodes.filter((n) => n !== info);
    if (info.pods.size > 0) this.orphans.set(name, new Map(info.pods));
  }

  isAssumed(key: string): boolean {
    return this.podNode.get(key)?.assumed === true;
  }

  nodeOf(key: string): string | undefined {
    return this.podNode.get(key)?.node;
  }

  /** A bound, non-terminal pod as the informer shows it (confirms an assumed one). */
  addPod(p: PodInfo): void {
    this.place(p, p.nodeName, false);
  }

  /** Counts a pod on a node before its binding is stored. */
  assume(p: PodInfo, nodeName: string): void {
    this.place({ ...p, nodeName }, nodeName, true);
  }

  /** Removes a pod (deleted, finished, or a failed binding of an assumed pod). */
  removePod(key: string): void {
    const at = this.podNode.get(key);
    if (!at) return;
    this.podNode.delete(key);
    const info = this.byName.get(at.node);
    if (info) {
      removePod(info, key);
      if (info.podsWithAffinity === 0) this.nodesWithAffinity.delete(info);
    }
    else this.orphans.get(at.node)?.delete(key);
    this.countController(at.controllerUid, at.node, -1);
  }

  private place(p: PodInfo, nodeName: string, assumed: boolean): void {
    if (this.podNode.has(p.key)) this.removePod(p.key);
    this.podNode.set(p.key, { node: nodeName, assumed, controllerUid: p.controllerUid });
    const info = this.byName.get(nodeName);
    if (info) {
      addPod(info, p);
      if (info.podsWithAffinity > 0) this.nodesWithAffinity.add(info);
    }
    else {
      let m = this.orphans.get(nodeName);
      if (!m) this.orphans.set(nodeName, (m = new Map()));
      m.set(p.key, p);
    }
    this.countController(p.controllerUid, nodeName, 1);
  }

  private countController(uid: string, node: string, by: number): void {
    if (!uid) return;
    let m = this.byController.get(uid);
    if (!m) this.byController.set(uid, (m = new Map()));
    const n = (m.get(node) ?? 0) + by;
    if (n > 0) m.set(node, n);
    else m.delete(node);
    if (m.size === 0) this.byController.delete(uid);
  }
}
