import type { NodeId, Role } from '../../raft/index.js';
import type { Clock } from '../../util/index.js';

/**
 * Readiness of a raftsqlite node (the "etcd" check of /readyz, which HAProxy polls), from the
 * leader changes the node reports. Ready while it leads or follows a known leader, and also for
 * `graceMs` after it lost its leader: a normal election (a killed or stepping-down leader, a
 * leadership transfer) ends well within that, and a load balancer that marked every node down
 * meanwhile would cut every watch (shutdown-sessions) for an election that clients would never
 * have noticed. A node still leaderless after the grace has lost contact with the quorum (cut off,
 * or the quorum is gone) and reports not ready, so the load balancer stops sending it requests.
 * A node that has not seen a leader since it started is not ready: it has not found its cluster.
 * The backend uses graceMs = 2 × the election timeout.
 */
export class LeaderReadiness {
  /** When the last leader was lost; undefined while one is known, or before the first one. */
  private lostAt: number | undefined;
  private hasLeader = false;

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  /** The node's leader or role changed (RaftNode.onLeaderChange). */
  observe(leader: NodeId, role: Role): void {
    const has = role === 'leader' || (role === 'follower' && leader !== 0);
    if (this.hasLeader && !has) this.lostAt = this.clock.now();
    if (has) this.lostAt = undefined;
    this.hasLeader = has;
  }

  ready(): boolean {
    if (this.hasLeader) return true;
    return this.lostAt !== undefined && this.clock.now() - this.lostAt < this.graceMs;
  }
}
