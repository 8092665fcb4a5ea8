import type { KubeObject, OwnerReference } from '../../../internal/api/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { beingDeleted, deletingDependents, orphaningDependents } from './finalizers.js';

/** The resource an object was observed through: how the collector reaches it again. */
export interface ObjectRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  ref: ObjectRef;
  owners: OwnerReference[];
  beingDeleted: boolean;
  deletingDependents: boolean;
}

/** What the workers must look at after a change: uids to attempt to delete, uids to orphan. */
export interface Work {
  attemptToDelete: string[];
  attemptToOrphan: string[];
}

/**
 * The ownership graph of every object the collector watches, keyed by uid (the garbage
 * collector's GraphBuilder). Owners need not be observed: dependents are indexed by owner uid,
 * so an object that names an owner nobody has seen (yet, or ever) is found when that owner
 * appears or is looked up. Each change returns the work it causes; the graph itself decides
 * nothing about deletion.
 */
export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependentsOf = new Map<string, Set<string>>();

  get size(): number {
    return this.nodes.size;
  }

  node(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** The observed dependents of uid. */
  dependents(uid: string): GraphNode[] {
    return [...(this.dependentsOf.get(uid) ?? [])].map((d) => this.nodes.get(d)!).filter(Boolean);
  }

  /** Dependents whose reference to uid has blockOwnerDeletion: a foreground deletion waits for them. */
  blockingDependents(uid: string): GraphNode[] {
    return this.dependents(uid).filter((d) => d.owners.some((o) => o.uid === uid && o.blockOwnerDeletion));
  }

  /** An object was added or changed. */
  upsert(obj: KubeObject, at: Omit<ObjectRef, 'name' | 'uid' | 'namespace'>): Work {
    const work: Work = { attemptToDelete: [], attemptToOrphan: [] };
    const m = obj.metadata;
    const uid = m.uid!;
    const old = this.nodes.get(uid);
    const owners = m.ownerReferences ?? [];
    const node: GraphNode = {
      ref: { ...at, namespace: m.namespace, name: m.name!, uid },
      owners,
      beingDeleted: beingDeleted(obj),
      deletingDependents: deletingDependents(obj),
    };
    this.nodes.set(uid, node);
    const before = new Map((old?.owners ?? []).map((o) => [o.uid, o]));
    const after = new Map(owners.map((o) => [o.uid, o]));
    for (const [ownerUid, ref] of after) {
      const prev = before.get(ownerUid);
      if (!prev) this.link(ownerUid, uid);
      // A new owner that is not plainly alive in the graph must be looked up: absent, in
      // another namespace, or deleting its dependents.
      if (!prev && !this.solidOwner(ref, node)) work.attemptToDelete.push(uid);
      if (prev && !jsonEqual(prev, ref)) this.wakeForeground(ownerUid, work);
    }
    for (const ownerUid of before.keys()) {
      if (after.has(ownerUid)) continue;
      this.unlink(ownerUid, uid);
      this.wakeForeground(ownerUid, work);
    }
    if (orphaningDependents(obj)) work.attemptToOrphan.push(uid);
    if (node.deletingDependents) {
      for (const d of this.dependents(uid)) work.attemptToDelete.push(d.ref.uid);
      work.attemptToDelete.push(uid);
    }
    // A dependent that starts being deleted may be what a foreground owner waits on next.
    if (node.beingDeleted && !old?.beingDeleted) for (const o of owners) this.wakeForeground(o.uid, work);
    return work;
  }

  /** An object is gone: its dependents may now be dangling, and foreground owners may be unblocked. */
  remove(uid: string): Work {
    const work: Work = { attemptToDelete: [], attemptToOrphan: [] };
    const node = this.nodes.get(uid);
    if (!node) return work;
    this.nodes.delete(uid);
    for (const o of node.owners) {
      this.unlink(o.uid, uid);
      this.wakeForeground(o.uid, work);
    }
    for (const d of this.dependents(uid)) work.attemptToDelete.push(d.ref.uid);
    return work;
  }

  /** An owner that exists in the graph, is not being deleted, and can own this dependent. */
  private solidOwner(ref: OwnerReference, dependent: GraphNode): boolean {
    const owner = this.nodes.get(ref.uid);
    if (!owner || owner.beingDeleted) return false;
    return owner.ref.namespace === undefined || owner.ref.namespace === dependent.ref.namespace;
  }

  private wakeForeground(ownerUid: string, work: Work): void {
    if (this.nodes.get(ownerUid)?.deletingDependents) work.attemptToDelete.push(ownerUid);
  }

  private link(owner: string, dependent: string): void {
    let set = this.dependentsOf.get(owner);
    if (!set) this.dependentsOf.set(owner, (set = new Set()));
    set.add(dependent);
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependentsOf.get(owner);
    if (!set) return;
    set.delete(dependent);
    if (set.size === 0) this.dependentsOf.delete(owner);
  }
}
