import type { ConfChange, ConfState, NodeId, Snapshot } from '../raft/index.js';
import { decodeDescriptor, type SnapshotDescriptor } from './snapshots.js';

/** The configuration at one log index: who votes, and how to reach and place each member. */
export interface ConfPoint {
  index: number;
  confState: ConfState;
  members: Map<NodeId, string>;
  domains: Map<NodeId, string>;
  spares: Map<NodeId, string>;
}

/**
 * What a configuration entry carries beside the core's change (ConfChange.context, JSON): the
 * node's peer address and failure domain, and `spare` on a removeNode that keeps the node as a
 * spare (recorded, not replicating) instead of forgetting it.
 */
export interface MemberContext {
  address?: string;
  domain?: string;
  spare?: boolean;
}

export function encodeMemberContext(c: MemberContext): Uint8Array {
  return Buffer.from(JSON.stringify(c));
}

export function decodeMemberContext(b: Uint8Array | undefined): MemberContext {
  if (!b || b.length === 0) return {};
  return JSON.parse(Buffer.from(b).toString('utf8')) as MemberContext;
}

/**
 * This node's view of the membership, derived only from the committed configuration: the latest
 * snapshot's descriptor plus the configuration entries applied after it (datastore-anchors.md §d.5:
 * never from a timer or a side channel). Keeps the configurations applied since the snapshot, so the
 * next snapshot can describe the configuration as of its own index.
 */
export class Membership {
  confState: ConfState;
  members: Map<NodeId, string>;
  /** Failure domains declared by members and spares (conf-change context, snapshots). */
  domains: Map<NodeId, string>;
  /** Spares (id → peer address): recorded nodes outside the Raft configuration, with no replica. */
  spares: Map<NodeId, string>;
  private history: ConfPoint[] = [];

  constructor(snap: Snapshot) {
    const d = decodeDescriptor(snap.data);
    this.confState = snap.metadata.confState;
    this.members = new Map(d.members);
    this.domains = new Map(d.domains ?? []);
    this.spares = new Map(d.spares ?? []);
  }

  /** A configuration entry at `index` was applied; `conf` is the core's new configuration. */
  applied(index: number, cc: ConfChange, conf: ConfState): void {
    this.confState = conf;
    const ctx = decodeMemberContext(cc.context);
    if (cc.type === 'removeNode' && ctx.spare) {
      // Out of the configuration, kept as a spare with its address and domain.
      const address = ctx.address ?? this.members.get(cc.nodeId) ?? this.spares.get(cc.nodeId) ?? '';
      this.members.delete(cc.nodeId);
      this.spares.set(cc.nodeId, address);
      if (ctx.domain) this.domains.set(cc.nodeId, ctx.domain);
    } else if (cc.type === 'removeNode') {
      this.members.delete(cc.nodeId);
      this.spares.delete(cc.nodeId);
      this.domains.delete(cc.nodeId);
    } else {
      // A spare made a standby keeps the address it was recorded with unless the entry names one.
      const address = ctx.address ?? this.spares.get(cc.nodeId);
      this.spares.delete(cc.nodeId);
      if (address) this.members.set(cc.nodeId, address);
      if (ctx.domain) this.domains.set(cc.nodeId, ctx.domain);
    }
    this.history.push({ index, confState: conf, members: new Map(this.members), domains: new Map(this.domains), spares: new Map(this.spares) });
  }

  /** A snapshot replaced the state (and the log before it). */
  installed(snap: Snapshot): void {
    const d = decodeDescriptor(snap.data);
    this.confState = snap.metadata.confState;
    this.members = new Map(d.members);
    this.domains = new Map(d.domains ?? []);
    this.spares = new Map(d.spares ?? []);
    this.history = [];
  }

  /** The configuration as of `index` (>= the current snapshot), falling back to the snapshot's. */
  at(index: number, snap: Snapshot): Omit<ConfPoint, 'index'> {
    let found: ConfPoint | undefined;
    for (const h of this.history) if (h.index <= index) found = h;
    if (found) return found;
    const d = decodeDescriptor(snap.data);
    return { confState: snap.metadata.confState, members: new Map(d.members), domains: new Map(d.domains ?? []), spares: new Map(d.spares ?? []) };
  }

  /** A snapshot at `index` now covers the configurations up to it. */
  snapshotTaken(index: number): void {
    this.history = this.history.filter((h) => h.index > index);
  }

  /** The descriptor fields of the configuration as of `index`. */
  describe(conf: Omit<ConfPoint, 'index'>): Pick<SnapshotDescriptor, 'members' | 'domains' | 'spares'> {
    return { members: [...conf.members], domains: [...conf.domains], ...(conf.spares.size > 0 ? { spares: [...conf.spares] } : {}) };
  }

  /** Addresses of the other members, with dial hints for members not yet in the configuration. */
  peers(self: NodeId, hints: ReadonlyMap<NodeId, string>): Map<NodeId, string> {
    const m = new Map([...hints, ...this.members]);
    m.delete(self);
    return m;
  }
}
