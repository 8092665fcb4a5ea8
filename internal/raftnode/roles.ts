import type { ConfChange, NodeId } from '../raft/index.js';

/** What the leader knows when it decides on roles. Pure data: the decision is a pure function. */
export interface ClusterView {
  leader: NodeId;
  voters: NodeId[];
  /** Non-voting members that replicate the log (standbys). */
  learners: NodeId[];
  /** A member the leader heard from within the grace period (the leader itself always is). */
  online: ReadonlySet<NodeId>;
  /** Members whose log is within the allowed lag of the leader's. */
  caughtUp: ReadonlySet<NodeId>;
  /** Failure domain a member declared, if any. */
  domains: ReadonlyMap<NodeId, string>;
}

export interface RolesPolicy {
  /** Voters wanted from 3 members on: 3 (default) or 5. Always odd. */
  voters: 3 | 5;
}

/**
 * Voters wanted for n members: every member while there are 1 or 2 (no fault tolerance yet, like a
 * 1- or 2-member etcd), then 3, or 5 once there are at least 5 members when configured; never an even
 * count from 3 members on.
 */
export function desiredVoters(members: number, policy: RolesPolicy): number {
  if (members < 3) return members;
  return policy.voters === 5 && members >= 5 ? 5 : 3;
}

/**
 * The next single membership change towards the wanted roles, or undefined when none is due
 * (datastore-anchors.md §d.5, go-dqlite's rules with its bugs fixed). Run by the leader only, one
 * change at a time, each committed and applied before the next is decided:
 * 1. Replace first: a voter that is offline is replaced by promoting a caught-up online standby,
 *    while a majority of voters is online (otherwise nothing could commit anyway).
 * 2. Then demote the offline voter to standby (never the leader), once voters exceed the target.
 * 3. Grow to the target with caught-up online standbys; shrink by demoting online voters if above it.
 * 4. With every voter healthy, move a vote from a domain holding two or more voters to a standby of
 *    a domain holding none (promote, then rule 3 demotes from the crowded domain).
 * Candidates are ordered so voters spread over failure domains: a standby from a domain without a
 * voter first; for demotion, a voter from the domain with the most voters first. Ties: lower id.
 */
export function nextRoleChange(view: ClusterView, policy: RolesPolicy): ConfChange | undefined {
  const members = view.voters.length + view.learners.length;
  const want = desiredVoters(members, policy);
  const offlineVoters = view.voters.filter((v) => v !== view.leader && !view.online.has(v));
  const onlineVoters = view.voters.length - offlineVoters.length;
  const quorumOnline = onlineVoters > Math.floor(view.voters.length / 2);
  const candidates = promotionOrder(view).filter((l) => view.online.has(l) && view.caughtUp.has(l));

  if (offlineVoters.length > 0) {
    if (!quorumOnline) return undefined;
    if (view.voters.length <= want && candidates.length > 0) return { type: 'addVoter', nodeId: candidates[0]! };
    // Demote only once a replacement is in (voters above the target); with no standby to take its
    // place an offline voter stays a voter, so e.g. a two-voter cluster never drops to one.
    if (view.voters.length > want) return { type: 'addLearner', nodeId: demotionOrder(view, offlineVoters)[0]! };
    return undefined;
  }
  if (view.voters.length < want && candidates.length > 0) return { type: 'addVoter', nodeId: candidates[0]! };
  // Rebalance, only while every voter is healthy: a standby from a domain without a voter replaces a
  // voter of a domain that has two or more (promote here; the shrink rule then demotes from the crowd).
  if (view.voters.length === want) {
    const perDomain = votersPerDomain(view);
    const crowded = [...perDomain.values()].some((n) => n >= 2);
    const fresh = candidates.find((l) => {
      const d = view.domains.get(l);
      return d !== undefined && !perDomain.has(d);
    });
    if (crowded && fresh !== undefined) return { type: 'addVoter', nodeId: fresh };
  }
  if (view.voters.length > want) {
    const demotable = view.voters.filter((v) => v !== view.leader);
    if (demotable.length > 0) return { type: 'addLearner', nodeId: demotionOrder(view, demotable)[0]! };
  }
  return undefined;
}

function votersPerDomain(view: ClusterView): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of view.voters) {
    const d = view.domains.get(v);
    if (d !== undefined) m.set(d, (m.get(d) ?? 0) + 1);
  }
  return m;
}

/** Standbys, those from a domain without an (online) voter first. */
function promotionOrder(view: ClusterView): NodeId[] {
  const perDomain = new Map<string, number>();
  for (const v of view.voters) {
    const d = view.domains.get(v);
    if (d !== undefined && view.online.has(v)) perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
  }
  const rank = (id: NodeId) => {
    const d = view.domains.get(id);
    return d === undefined ? 1 : (perDomain.get(d) ?? 0) === 0 ? 0 : 2;
  };
  return [...view.learners].sort((a, b) => rank(a) - rank(b) || a - b);
}

/** Voters to demote, those from the domain with the most voters first. */
function demotionOrder(view: ClusterView, from: NodeId[]): NodeId[] {
  const perDomain = votersPerDomain(view);
  const weight = (id: NodeId) => perDomain.get(view.domains.get(id) ?? '') ?? 0;
  return [...from].sort((a, b) => weight(b) - weight(a) || b - a);
}
