import type { PodInfo } from './pod-info.js';

/**
 * Pods nominated to a node by preemption (status.nominatedNodeName) and not bound yet (upstream's
 * nominator): their requests are reserved there against pods of lower priority, so the room
 * preemption made is not taken by a lesser pod before the preemptor's next attempt.
 */
const NONE: readonly PodInfo[] = [];

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Records (or moves) `pod`'s nomination; an empty node name removes it. */
  nominate(pod: PodInfo, node: string): void {
    this.delete(pod.key);
    if (!node) return;
    this.nodeOf.set(pod.key, node);
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(pod.key, pod);
  }

  delete(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m?.size === 0) this.byNode.delete(node);
  }

  nominatedNode(key: string): string | undefined {
    return this.nodeOf.get(key);
  }

  /** The pods nominated to `node` (a shared empty list when none: filters ask for every node). */
  podsOn(node: string): readonly PodInfo[] {
    const m = this.byNode.get(node);
    return m ? [...m.values()] : NONE;
  }
}
