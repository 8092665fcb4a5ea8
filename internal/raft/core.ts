import type { Config } from './config.js';
import type { ConfChange, ConfState, Message, NodeId, ProposeResult, Ready, Status } from './types.js';

/**
 * The Raft consensus core, in the shape of etcd-raft's RawNode: pure and synchronous. No I/O, timers,
 * clocks, randomness or Promises inside; the driver (or a simulator) owns all of those.
 *
 * Loop: feed inputs (tick/step/propose/...), then while hasReady(): rd = ready(); persist, send, apply
 * as documented on Ready; advance(rd). Inputs may be given between ready() and advance(); their output
 * appears in the next Ready. Not re-entrant; one thread.
 */
export interface RaftCore {
  readonly id: NodeId;
  /** Advances logical time by one tick (election timeout, heartbeats, CheckQuorum). */
  tick(): void;
  /**
   * Delivers a message received from a peer. Messages from unknown or stale senders, or of a type that
   * makes no sense in the current role, are ignored; nothing is thrown for protocol outcomes.
   */
  step(msg: Message): void;
  /**
   * Proposes an entry. On the leader it is appended at once; on a follower it is forwarded to the
   * leader (unless disableProposalForwarding). { ok: false } when dropped (no leader, transfer in
   * progress, uncommitted-size limit). Acceptance is not commitment: watch committedEntries.
   */
  propose(data: Uint8Array): ProposeResult;
  /**
   * Proposes a single-step membership change. On the leader it is refused while another change is
   * appended but not yet applied (one pending at a time). Forwarded like propose() on followers.
   * The change takes effect only when the driver applies the committed entry (applyConfChange).
   */
  proposeConfChange(cc: ConfChange): ProposeResult;
  /**
   * Applies a committed confChange entry (etcd semantics: membership changes at apply time, on every
   * node, in log order). Call it while applying that entry. Returns the new configuration, which the
   * driver stores with its applied index / next snapshot.
   */
  applyConfChange(cc: ConfChange): ConfState;
  /**
   * Requests a linearizable read point. The answer arrives as a ReadState with the same context in a
   * later Ready, once the leader has confirmed its leadership with a heartbeat quorum (and has committed
   * an entry of its term). Followers forward to the leader. { ok: false } if there is no leader.
   * A request may be lost (leader change, message loss); the caller retries on a timeout.
   */
  readIndex(context: Uint8Array): ProposeResult;
  /**
   * Asks the leader to hand leadership to `to` (thesis §3.10): the leader stops accepting proposals,
   * brings `to` up to date and sends it timeoutNow. Aborted after an election timeout. Followers forward.
   */
  transferLeader(to: NodeId): void;
  /** Starts an election now (as if the election timeout fired). For tests and forced campaigns. */
  campaign(): void;
  /**
   * Follower: forget the current leader (soft state leader becomes NONE; term, vote and log stay)
   * because the driver has strong evidence it is dead (its connection closed or was refused). A
   * leaderless follower grants (pre-)votes at once instead of ignoring them during the CheckQuorum
   * lease, so when a quorum of followers forgot a dead leader, campaign() on one of them elects a new
   * leader without waiting out the election timeout. Safety never depends on it (PreVote and the vote
   * rules are unchanged); a live leader's next heartbeat restores it. Proposals wait (noLeader) until
   * a leader is known. No-op (false) on a leader or candidate, with no leader known, and with
   * readOnlyLeaseBased (lease reads need followers to honour the lease). See leaderLossCampaignDelay.
   */
  forgetLeader(): boolean;
  /** Tells the leader that the last message to `id` failed, so replication to it falls back to probing. */
  reportUnreachable(id: NodeId): void;
  /**
   * Tells the leader whether the snapshot sent to `id` was delivered (ok) or failed (driver's
   * transport). Either way the leader probes the follower again after its next heartbeat response.
   * Without a report, the leader gives up waiting after 3 election timeouts and probes again (which
   * resends the snapshot if still needed); a driver streaming a slow snapshot should deduplicate.
   */
  reportSnapshot(id: NodeId, ok: boolean): void;
  /** True if ready() would return something to persist, send, apply or report. */
  hasReady(): boolean;
  /** Collects pending output. Call advance(rd) after handling it before the next ready(). */
  ready(): Ready;
  /**
   * Acknowledges that `rd` was handled: its entries/hardState/snapshot are durable and its committed
   * entries applied. The leader counts its own entries toward commit only from here.
   */
  advance(rd: Ready): void;
  /** A snapshot of the core's state, including follower progress on the leader. */
  status(): Status;
}

export type RaftFactory = (config: Config) => RaftCore;
