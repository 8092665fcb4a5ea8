import { LEADER_LOSS_ATTEMPTS, NONE, leaderLossCampaignDelay, type NodeId, type RaftCore } from '../raft/index.js';
import type { Clock, Rand } from '../util/index.js';
import type { RaftNodeLogger } from './engine-types.js';

/**
 * Fast failover when the leader's process dies: the driver's half of RaftCore.forgetLeader.
 *
 * A killed process's sockets are closed by its kernel at once, so a follower learns within a
 * millisecond that its leader is gone, yet Raft alone would wait a randomized election timeout
 * (1–2 s by default) before campaigning. On a lost connection to the current leader this follower
 * forgets it (so it grants pre-votes at once; the other survivors do the same, since they saw their
 * connections close too) and campaigns on the schedule of leaderLossCampaignDelay: survivors in id
 * order, a heartbeat apart, so they do not split the vote. Each attempt first checks that no leader
 * became known meanwhile; after LEADER_LOSS_ATTEMPTS the election timeout rules alone.
 *
 * Safety never depends on this: it only changes when campaign() is called and whether a follower
 * honours the lease, and both PreVote and the vote rules still decide. A wrong signal (a connection
 * reset while the leader lives) costs at most one rejected pre-vote: the leader and the followers that
 * still hear it ignore it, and its next heartbeat is followed again. A leader that vanishes without
 * closing its sockets (power loss, a cut cable, a frozen VM) is detected only by the election timeout
 * (or by the transport's ping timeout, whichever comes first).
 */
export class LeaderLossCampaigner {
  private cancel: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly core: RaftCore,
    private readonly clock: Clock,
    private readonly rand: Rand,
    private readonly heartbeatMs: number,
    /** Runs the driver's loop (the core has new output). */
    private readonly kick: () => void,
    private readonly log?: RaftNodeLogger,
  ) {}

  /** The transport lost a connection to or from `peer`. */
  peerLost(peer: NodeId): void {
    if (this.stopped) return;
    const st = this.core.status();
    if (st.softState.role !== 'follower' || st.softState.leader !== peer || !this.core.forgetLeader()) return;
    const delay = this.schedule(peer, 0);
    this.log?.info('lost the connection to the leader; campaigning early', { leader: peer, inMs: delay === undefined ? null : Math.round(delay) });
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  private schedule(lost: NodeId, attempt: number): number | undefined {
    this.cancel?.();
    this.cancel = undefined;
    if (attempt >= LEADER_LOSS_ATTEMPTS) return undefined;
    const delay = leaderLossCampaignDelay(this.core.status(), lost, this.heartbeatMs, this.rand, attempt);
    if (delay === undefined) return undefined;
    this.cancel = this.clock.setTimeout(() => {
      this.cancel = undefined;
      if (this.stopped) return;
      const s = this.core.status().softState;
      // Someone won (or the old leader is back): the normal rules take over from here.
      if (s.leader !== NONE || s.role === 'leader') return;
      this.core.campaign();
      this.kick();
      this.schedule(lost, attempt + 1);
    }, delay);
    return delay;
  }
}
