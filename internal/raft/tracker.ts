import { Progress } from './progress.js';
import { committedIndex, majority, voteResult, type VoteResult } from './quorum.js';
import type { ConfState, ConfChange, NodeId } from './types.js';

/**
 * Configuration (voters, learners), per-member Progress (meaningful on the leader) and election votes.
 * Learners receive the log but are never counted toward a vote or a commit.
 */
export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(
    private readonly maxInflight: number,
    private readonly maxInflightBytes: number,
  ) {}

  /** Replaces the configuration; progress of remaining members is kept, new ones start at `next`. */
  setConfig(cs: ConfState, next: number): void {
    this.voters = new Set(cs.voters);
    this.learners = new Set(cs.learners);
    for (const id of [...this.progress.keys()]) {
      if (!this.voters.has(id) && !this.learners.has(id)) this.progress.delete(id);
    }
    for (const id of this.voters) this.ensure(id, next, false);
    for (const id of this.learners) this.ensure(id, next, true);
  }

  /** Fresh progress for everyone (new term); self keeps what it has durably. */
  resetProgress(next: number, self: NodeId, selfMatch: number): void {
    for (const [id, pr] of this.progress) {
      const fresh = new Progress(next, pr.isLearner, this.maxInflight, this.maxInflightBytes);
      if (id === self) fresh.match = selfMatch;
      this.progress.set(id, fresh);
    }
  }

  private ensure(id: NodeId, next: number, isLearner: boolean): void {
    const pr = this.progress.get(id);
    if (pr) {
      pr.isLearner = isLearner;
      return;
    }
    const fresh = new Progress(Math.max(next, 1), isLearner, this.maxInflight, this.maxInflightBytes);
    // A new member counts as active so CheckQuorum does not immediately depose the leader that
    // added it, and so a snapshot may be sent to it right away (etcd does the same).
    fresh.recentActive = true;
    this.progress.set(id, fresh);
  }

  /** The configuration after applying a single-step change (does not mutate). */
  static applyChange(cs: ConfState, cc: ConfChange): ConfState {
    const voters = cs.voters.filter((id) => id !== cc.nodeId);
    const learners = cs.learners.filter((id) => id !== cc.nodeId);
    if (cc.type === 'addVoter') voters.push(cc.nodeId);
    if (cc.type === 'addLearner') learners.push(cc.nodeId);
    return { voters: voters.sort((a, b) => a - b), learners: learners.sort((a, b) => a - b) };
  }

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.has(id);
  }

  /** Index a majority of voters has durably acknowledged. */
  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return voteResult(this.voters, this.votes);
  }

  /**
   * CheckQuorum: true if a majority of voters (self included) was active since the last call.
   * Resets every other member's recentActive for the next round.
   */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) {
      const pr = this.progress.get(id);
      if (id === self || pr?.recentActive) active++;
    }
    for (const [id, pr] of this.progress) if (id !== self) pr.recentActive = false;
    return active >= majority(this.voters.size);
  }

  /** Quorum check for a set of acknowledging ids (ReadIndex heartbeat rounds). */
  hasQuorum(acks: ReadonlySet<NodeId>): boolean {
    let n = 0;
    for (const id of this.voters) if (acks.has(id)) n++;
    return n >= majority(this.voters.size);
  }
}
