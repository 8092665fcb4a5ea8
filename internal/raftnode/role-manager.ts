import type { ConfChange, NodeId, Status } from '../raft/index.js';
import { encodeMemberContext } from './membership.js';
import { nextRoleChange } from './roles.js';

/** The committed membership facts the decision needs beside the core's configuration. */
export interface RolesMembership {
  readonly members: ReadonlyMap<NodeId, string>;
  readonly domains: ReadonlyMap<NodeId, string>;
  readonly spares: ReadonlyMap<NodeId, string>;
}

export interface RolesOptions {
  /** Voters wanted from 3 members on: 3 (default) or 5. */
  voters?: 3 | 5;
  /** A voter not heard from for this long counts as offline and is replaced. Default 30000 ms. */
  graceMs?: number;
  /** How often the leader reconsiders roles. Default 2000 ms. */
  intervalMs?: number;
  /** A standby within this many entries of the leader's log counts as caught up. Default 100. */
  maxLagEntries?: number;
  /**
   * Most standbys; further nodes are spares (no replica). Unset = no limit: every non-voter is a
   * standby (the behaviour before spares existed).
   */
  standbys?: number;
}

/**
 * The leader's role manager (datastore-anchors.md §d.5): every interval it builds the cluster view
 * (online = heard from within the grace period; caught up = within maxLag entries) and proposes the
 * single change nextRoleChange picks, at most one in flight. Knows nothing of I/O: the engine
 * reports contact and configuration changes and proposes what this returns.
 */
export class RoleManager {
  private readonly opts: Required<Omit<RolesOptions, 'standbys'>> & Pick<RolesOptions, 'standbys'>;
  private readonly lastHeard = new Map<NodeId, number>();
  private busyUntil = 0;
  private nextAt = 0;

  constructor(
    private readonly self: NodeId,
    opts: RolesOptions,
  ) {
    this.opts = { voters: opts.voters ?? 3, graceMs: opts.graceMs ?? 30_000, intervalMs: opts.intervalMs ?? 2000, maxLagEntries: opts.maxLagEntries ?? 100, standbys: opts.standbys };
  }

  heard(from: NodeId, now: number): void {
    this.lastHeard.set(from, now);
  }

  /** A new leader gives every member a full grace period before judging it offline. */
  becameLeader(members: Iterable<NodeId>, now: number): void {
    for (const id of members) this.lastHeard.set(id, now);
    this.busyUntil = 0;
  }

  /** A configuration change was applied: the next one may be decided. */
  changeApplied(): void {
    this.busyUntil = 0;
  }

  lastHeardMsAgo(id: NodeId, now: number): number | undefined {
    const t = this.lastHeard.get(id);
    return t === undefined ? undefined : now - t;
  }

  /**
   * The change to propose now, if any (call on the leader only), as the conf change to propose: a
   * spare made a standby is an addLearner carrying its recorded address; a standby made a spare is a
   * removeNode whose context marks it spare (membership.ts keeps it recorded).
   */
  decide(st: Status, m: RolesMembership, now: number): ConfChange | undefined {
    if (now < this.nextAt || now < this.busyUntil) return undefined;
    this.nextAt = now + this.opts.intervalMs;
    const isOnline = (id: NodeId) => {
      const t = this.lastHeard.get(id);
      return t !== undefined && now - t <= this.opts.graceMs;
    };
    const online = new Set<NodeId>([this.self]);
    const caughtUp = new Set<NodeId>([this.self]);
    for (const [id, p] of st.progress ?? []) {
      if (id !== this.self && isOnline(id)) online.add(id);
      if (p.match >= st.lastIndex - this.opts.maxLagEntries) caughtUp.add(id);
    }
    // Spares have no progress: online means they pinged this leader within the grace period.
    for (const id of m.spares.keys()) if (isOnline(id)) online.add(id);
    const spares = [...m.spares.keys()];
    const change = nextRoleChange(
      { leader: this.self, voters: st.config.voters, learners: st.config.learners, spares, online, caughtUp, domains: m.domains },
      { voters: this.opts.voters, standbys: this.opts.standbys },
    );
    if (!change) return undefined;
    const domain = m.domains.get(change.nodeId);
    if (change.type === 'toSpare') {
      return { type: 'removeNode', nodeId: change.nodeId, context: encodeMemberContext({ spare: true, address: m.members.get(change.nodeId), domain }) };
    }
    const spareAddress = m.spares.get(change.nodeId);
    if (spareAddress !== undefined) return { type: change.type, nodeId: change.nodeId, context: encodeMemberContext({ address: spareAddress, domain }) };
    return { type: change.type, nodeId: change.nodeId };
  }

  /** The proposal was accepted: wait for it to apply (or for the grace period, if it got lost). */
  proposed(now: number): void {
    this.busyUntil = now + this.opts.graceMs;
  }

  offline(voters: NodeId[], now: number): NodeId[] {
    return voters.filter((v) => v !== this.self && now - (this.lastHeard.get(v) ?? 0) > this.opts.graceMs);
  }
}
