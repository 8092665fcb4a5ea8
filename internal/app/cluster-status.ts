import type { RaftNodeStatus } from '../raftnode/index.js';

/**
 * The body of GET /kplane/status, which `kplane status -o json` prints as is: this node's Raft view
 * (role, leader, term, commit/applied, configuration, and on the leader each member's progress),
 * its /readyz verdict, and the backend's counters. The one declaration of that shape: the CLI and
 * the HA e2e harness read it through this type.
 */
export type ClusterStatus = RaftNodeStatus & {
  /** Whether this node's datastore counts as ready (the "etcd" check of /readyz). */
  ready: boolean;
  /** The cluster's id (db/cluster-id); Raft peers presenting another one are refused. Absent on a node that never opened the datastore. */
  clusterId?: string;
  /** The state DB's current and compacted revisions (backend counters; other counters may follow). */
  revision?: number;
  compactRevision?: number;
};

/** The peers a node cannot reach, in words for /readyz?verbose; undefined when it reaches them all. */
export function unreachablePeers(st: Pick<RaftNodeStatus, 'unreachable' | 'members' | 'spares'>): string | undefined {
  const down = Object.entries(st.unreachable ?? {});
  if (down.length === 0) return undefined;
  return down
    .map(([id, u]) => `cannot reach node ${id} at ${st.members[id] ?? st.spares?.[id] ?? '?'}: ${u.error} since ${new Date(u.since).toISOString().replace(/\.\d+Z$/, 'Z')}`)
    .join('; ');
}
