import type { ConfChange, ConfState, NodeId, Snapshot } from '../raft/index.js';
import { decodeDescriptor, type SnapshotDescriptor } from './snapshots.js';

/** The configuration at one log index: who votes, and how to reach and place each member. */
export interface ConfPoint {
  index: number;
  confState: ConfState;
  members: Map<NodeId, string>;
  domains: Map<NodeId, string>;
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
  /** Failure domains declared by members (conf-change context, snapshots). */
  domains: Map<NodeId, string>;
  private history: ConfPoint[] = [];

  constructor(snap: Snapshot) {
    const d = decodeDescriptor(snap.data);
    this.confState = snap.metadata.confState;
    this.members = new Map(d.members);
    this.domains = new Map(d.domains ?? []);
  }

  /** A configuration entry at `index` was applied; `conf` is the core's new configuration. */
  applied(index: number, cc: ConfChange, conf: ConfState): void {
    this.confState = conf;
    if (cc.type === 'removeNode') {
      this.members.delete(cc.nodeId);
      this.domains.delete(cc.nodeId);
    } else if (cc.context && cc.context.length > 0) {
      const ctx = JSON.parse(Buffer.from(cc.context).toString('utf8')) as { address?: string; domain?: string };
      if (ctx.address) this.members.set(cc.nodeId, ctx.address);
      if (ctx.domain) this.domains.set(cc.nodeId, ctx.domain);
    }
    this.history.push({ index, confState: conf, members: new Map(this.members), domains: new Map(this.domains) });
  }

  /** A snapshot replaced the state (and the log before it). */
  installed(snap: Snapshot): void {
    const d = decodeDescriptor(snap.data);
    this.confState = snap.metadata.confState;
    this.members = new Map(d.members);
    this.domains = new Map(d.domains ?? []);
    this.history = [];
  }

  /** The configuration as of `index` (>= the current snapshot), falling back to the snapshot's. */
  at(index: number, snap: Snapshot): Omit<ConfPoint, 'index'> {
    let found: ConfPoint | undefined;
    for (const h of this.history) if (h.index <= index) found = h;
    if (found) return found;
    const d = decodeDescriptor(snap.data);
    return { confState: snap.metadata.confState, members: new Map(d.members), domains: new Map(d.domains ?? []) };
  }

  /** A snapshot at `index` now covers the configurations up to it. */
  snapshotTaken(index: number): void {
    this.history = this.history.filter((h) => h.index > index);
  }

  /** The descriptor fields of the configuration as of `index`. */
  describe(conf: Omit<ConfPoint, 'index'>): Pick<SnapshotDescriptor, 'members' | 'domains'> {
    return { members: [...conf.members], domains: [...conf.domains] };
  }

  /** Addresses of the other members, with dial hints for members not yet in the configuration. */
  peers(self: NodeId, hints: ReadonlyMap<NodeId, string>): Map<NodeId, string> {
    const m = new Map([...hints, ...this.members]);
    m.delete(self);
    return m;
  }
}
