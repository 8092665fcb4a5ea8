import type { NodeId } from '../raft/index.js';

/** What the leader knows when it decides on roles. Pure data: the decision is a pure function. */
export interface ClusterView {
  leader: NodeId;
  voters: NodeId[];
  /** Non-voting members that replicate the log (standbys). */
  learners: NodeId[];
  /**
   * Spares: nodes recorded in the committed membership that hold no replica (they are not in the
   * Raft configuration and serve their API through a member). Absent = none.
   */
  spares?: NodeId[];
  /** A node the leader heard from within the grace period (the leader itself always is; spares ping it). */
  online: ReadonlySet<NodeId>;
  /** Members whose log is within the allowed lag of the leader's. */
  caughtUp: ReadonlySet<NodeId>;
  /** Failure domain a member declared, if any. */
  domains: ReadonlyMap<NodeId, string>;
}

export interface RolesPolicy {
  /** Voters wanted from 3 members on: 3 (default) or 5. Always odd. */
  voters: 3 | 5;
  /**
   * Most standbys (replicating non-voters) kept; nodes beyond the voters and these are spares.
   * Unset = no limit (every non-voter replicates, and an online spare is made a standby).
   */
  standbys?: number;
}

/**
 * One role change: 'addVoter' / 'addLearner' as the Raft conf change of that name (a spare made a
 * standby is an addLearner), 'toSpare' takes a standby out of the Raft configuration and records it
 * as a spare (the driver proposes it as a removeNode whose context marks it spare).
 */
export interface RoleChange {
  type: 'addVoter' | 'addLearner' | 'toSpare';
  nodeId: NodeId;
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
 * The role a node joining now gets: a standby (it replicates from the start) while the voters are
 * short of their target or the standbys below their limit, otherwise a spare. The role manager
 * corrects any race with a concurrent change afterwards (it works from the committed membership).
 */
export function joinRole(view: Pick<ClusterView, 'voters' | 'learners' | 'spares'>, policy: RolesPolicy): 'standby' | 'spare' {
  if (policy.standbys === undefined) return 'standby';
  const members = view.voters.length + view.learners.length + (view.spares?.length ?? 0) + 1;
  if (view.voters.length < desiredVoters(members, policy)) return 'standby';
  return view.learners.length < policy.standbys ? 'standby' : 'spare';
}

/**
 * The next single role change, or undefined when none is due (datastore-anchors.md §d.5, go-dqlite's
 * rules with its bugs fixed). Run by the leader only, one change at a time, each committed and
 * applied before the next is decided. Voters first:
 * 1. Replace first: a voter that is offline is replaced by promoting a caught-up online standby,
 *    while a majority of voters is online (otherwise nothing could commit anyway).
 * 2. Then demote the offline voter to standby (never the leader), once voters exceed the target.
 * 3. Grow to the target with caught-up online standbys; shrink by demoting online voters if above it.
 * 4. With every voter healthy, move a vote from a domain holding two or more voters to a standby of
 *    a domain holding none (promote, then rule 3 demotes from the crowded domain).
 * Then standbys, when no voter change is due (policy.standbys; spares are never made voters directly,
 * they replicate as a standby first):
 * 5. Fewer online standbys than the limit: an online spare becomes a standby (lowest id; one from a
 *    domain without a voter first).
 * 6. More standbys than the limit: one becomes a spare, an offline one first (so a dead voter that
 *    was demoted ends as a spare once a live node replicates in its place), then the highest id.
 * Candidates are ordered so voters spread over failure domains: a standby from a domain without a
 * voter first; for demotion, a voter from the domain with the most voters first. Ties: lower id.
 */
export function nextRoleChange(view: ClusterView, policy: RolesPolicy): RoleChange | undefined {
  const online = view.voters.filter((v) => v === view.leader || view.online.has(v)).length;
  if (online <= Math.floor(view.voters.length / 2)) return undefined; // nothing could commit anyway
  return voterChange(view, policy) ?? standbyChange(view, policy);
}

function voterChange(view: ClusterView, policy: RolesPolicy): RoleChange | undefined {
  const members = view.voters.length + view.learners.length + (view.spares?.length ?? 0);
  const want = desiredVoters(members, policy);
  const offlineVoters = view.voters.filter((v) => v !== view.leader && !view.online.has(v));
  const candidates = promotionOrder(view, view.learners).filter((l) => view.online.has(l) && view.caughtUp.has(l));

  if (offlineVoters.length > 0) {
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

function standbyChange(view: ClusterView, policy: RolesPolicy): RoleChange | undefined {
  const limit = policy.standbys ?? Number.POSITIVE_INFINITY;
  const onlineStandbys = view.learners.filter((l) => view.online.has(l)).length;
  const spare = promotionOrder(view, view.spares ?? []).find((s) => view.online.has(s));
  if (onlineStandbys < limit && spare !== undefined) return { type: 'addLearner', nodeId: spare };
  if (view.learners.length > limit) {
    const offline = view.learners.filter((l) => !view.online.has(l));
    const from = offline.length > 0 ? offline : view.learners;
    return { type: 'toSpare', nodeId: Math.max(...from) };
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

/** Standbys (or spares), those from a domain without an (online) voter first. */
function promotionOrder(view: ClusterView, from: NodeId[]): NodeId[] {
  const perDomain = new Map<string, number>();
  for (const v of view.voters) {
    const d = view.domains.get(v);
    if (d !== undefined && view.online.has(v)) perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
  }
  const rank = (id: NodeId) => {
    const d = view.domains.get(id);
    return d === undefined ? 1 : (perDomain.get(d) ?? 0) === 0 ? 0 : 2;
  };
  return [...from].sort((a, b) => rank(a) - rank(b) || a - b);
}

/** Voters to demote, those from the domain with the most voters first. */
function demotionOrder(view: ClusterView, from: NodeId[]): NodeId[] {
  const perDomain = votersPerDomain(view);
  const weight = (id: NodeId) => perDomain.get(view.domains.get(id) ?? '') ?? 0;
  return [...from].sort((a, b) => weight(b) - weight(a) || b - a);
}
