import { ConfigError, assert } from '../util/index.js';
import type { ValidConfig } from './config.js';
import { decodeConfChange } from './conf-change.js';
import { CAMPAIGN_TRANSFER, isTransferCampaign, newMessage, voteRespType } from './message.js';
import { RaftLog } from './raft-log.js';
import { leaderReadIndex } from './read-index.js';
import { ReadOnly } from './read-only.js';
import { bcastAppend, bcastCommit, maybeCommit, maybeSendAppend } from './replication.js';
import { stepCandidate } from './step-candidate.js';
import { stepFollower } from './step-follower.js';
import { stepLeader, tickHeartbeat } from './step-leader.js';
import { ProgressTracker } from './tracker.js';
import { NONE, type ConfChange, type ConfState, type Message, type MessageType, type NodeId, type ReadState, type Role } from './types.js';

type StepFn = (r: Raft, m: Message) => void;

/** Message types that carry no term: they are requests routed to whoever is leader. */
const TERMLESS: ReadonlySet<MessageType> = new Set(['prop', 'readIndex', 'transferLeader']);
const VOTE_TYPES: ReadonlySet<MessageType> = new Set(['vote', 'preVote', 'voteResp', 'preVoteResp']);

/**
 * The Raft state machine: term, vote, role, log and progress, plus the role transitions and the
 * role-independent part of message handling. Role-specific handling lives in step-{leader,candidate,
 * follower}.ts. Output accumulates in `msgs` and `readStates` until RawNode.ready() drains it.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the last conf change appended by this leader; no new one until it is applied. */
  pendingConfIndex = 0;
  /** Bytes of entry data appended by this leader and not yet committed+applied. */
  uncommittedSize = 0;
  readOnly = new ReadOnly();
  /** ReadIndex requests held until this leader commits an entry of its own term. */
  pendingReadIndexMessages: Message[] = [];
  private stepFn: StepFn = stepFollower;

  constructor(readonly cfg: ValidConfig) {
    this.id = cfg.id;
    const st = cfg.storage;
    const { hardState, confState } = st.initialState();
    this.log = new RaftLog(st, cfg.maxCommittedSizePerReady);
    this.trk = new ProgressTracker(cfg.maxInflightMsgs, cfg.maxInflightBytes);
    this.trk.setConfig(confState, this.log.lastIndex() + 1);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) {
      assert(
        hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(),
        `raft: stored commit ${hardState.commit} outside [${this.log.committed}, ${this.log.lastIndex()}]`,
      );
      this.log.commitTo(hardState.commit);
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    if (cfg.applied >= 0) {
      if (cfg.applied < this.log.firstIndex() - 1 || cfg.applied > this.log.committed) {
        throw new ConfigError(`raft: applied ${cfg.applied} outside [${this.log.firstIndex() - 1}, ${this.log.committed}]`);
      }
      this.log.appliedTo(cfg.applied);
    }
    this.becomeFollower(this.term, NONE);
  }

  /** Queues a message. Stamps `from` (unless forwarding) and the term (unless termless or a vote). */
  send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    if (VOTE_TYPES.has(m.type)) assert(m.term !== 0, `raft: ${m.type} needs an explicit term`);
    else if (!TERMLESS.has(m.type)) m.term = this.term;
    this.msgs.push(m);
  }

  promotable(): boolean {
    return this.trk.isVoter(this.id);
  }

  // ---- role transitions -------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.rand() * this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.trk.resetVotes();
    this.trk.resetProgress(this.log.lastIndex() + 1, this.id, this.log.lastStableIndex());
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.stepFn = stepFollower;
  }

  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become pre-candidate');
    // PreVote does not touch term or vote: a failed pre-election leaves no trace in HardState.
    this.trk.resetVotes();
    this.lead = NONE;
    this.role = 'preCandidate';
    this.stepFn = stepCandidate;
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.stepFn = stepCandidate;
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', 'raft: only a candidate becomes leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.stepFn = stepLeader;
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Entries before this point may hide an unapplied conf change; be conservative.
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op of the new term: committing it commits every earlier entry (§5.4.2) and unblocks ReadIndex.
    this.appendEntries([{ type: 'normal', data: new Uint8Array() }]);
    bcastAppend(this);
  }

  /**
   * Leader: appends new entries of the current term. The leader's own ack happens in RawNode.advance,
   * once the driver has made them durable.
   */
  appendEntries(es: { type: 'normal' | 'confChange'; data: Uint8Array }[]): void {
    let index = this.log.lastIndex();
    const ents = es.map((e) => ({ term: this.term, index: ++index, type: e.type, data: e.data }));
    for (const e of ents) {
      this.uncommittedSize += e.data.length;
      if (e.type === 'confChange') this.pendingConfIndex = e.index;
    }
    this.log.append(ents);
  }

  // ---- time -------------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') tickHeartbeat(this);
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  // ---- elections --------------------------------------------------------------------------------

  /**
   * Follower: drop the current leader (lead = NONE) because the driver has strong evidence that it is
   * gone, e.g. its connection to the leader was closed or refused (a killed process's sockets close at
   * once). Nothing else changes: term, vote, log and electionElapsed stay, so safety does not depend on
   * the evidence being right. What it changes is liveness: a leaderless follower is out of the
   * CheckQuorum lease, so it grants (pre-)votes at once instead of ignoring them for an election
   * timeout. When a quorum of followers forgot the leader, one of them can win an election right away
   * (the driver calls campaign()). If the leader is in fact alive, its next heartbeat or append makes
   * this follower follow it again; a lone follower that forgot it cannot win a pre-vote against the
   * others' lease, so a flapping connection costs nothing but a rejected pre-vote.
   * Ignored (false) on a leader or candidate, when no leader is known, and with readOnlyLeaseBased:
   * lease reads rely on followers not voting within the lease, so forgetting a leader early could let
   * a new leader commit while the old one still serves lease reads (stale reads).
   * Returns true if a leader was forgotten.
   */
  forgetLeader(): boolean {
    if (this.role !== 'follower' || this.lead === NONE || this.cfg.readOnlyLeaseBased) return false;
    this.lead = NONE;
    return true;
  }

  /** Starts an election (pre-election first when PreVote is on, unless this is a transfer). */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable() || this.hasUnappliedConfChanges()) return;
    if (transfer || !this.cfg.preVote) this.campaign('election', transfer);
    else this.campaign('preElection', false);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    // A node must not campaign with an unapplied conf change: it might not be a voter any more.
    // Entries below the first index are inside a snapshot installed but not yet applied: its
    // configuration took effect when it was installed, so only the entries after it count.
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    const ents = this.log.slice(lo, this.log.committed + 1);
    return ents.some((e) => e.type === 'confChange');
  }

  campaign(kind: 'preElection' | 'election', transfer: boolean): void {
    let term: number;
    let type: MessageType;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      type = 'preVote';
      term = this.term + 1; // the term it would campaign in; its own term stays unchanged
    } else {
      this.becomeCandidate();
      type = 'vote';
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') return;
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of [...this.trk.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(newMessage(type, id, { term, index, logTerm, context: transfer ? CAMPAIGN_TRANSFER : undefined }));
    }
  }

  /** Records a vote and acts on the result: advance to the real election, lead, or give up. */
  poll(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    this.trk.recordVote(id, granted);
    const res = this.trk.tallyVotes();
    if (res === 'won') {
      if (this.role === 'preCandidate') this.campaign('election', false);
      else this.becomeLeader();
    } else if (res === 'lost') {
      this.becomeFollower(this.term, NONE);
    }
    return res;
  }

  // ---- message handling -------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term === 0) {
      // Only requests routed to the leader travel without a term; anything else is malformed.
      if (TERMLESS.has(m.type)) this.stepFn(this, m);
      return;
    }
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        // Leader lease: a node that heard from a live leader within the election timeout ignores
        // disruptive candidates (e.g. one rejoining after a partition). Transfers bypass it.
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        if (inLease && !isTransferCampaign(m)) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // A pre-vote never changes terms; a granted pre-vote carries the future term.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      this.stepStale(m);
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') this.handleVoteRequest(m);
    else this.stepFn(this, m);
  }

  private stepStale(m: Message): void {
    if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
      // A deposed leader cut off by a partition never sees a higher term otherwise (our PreVote
      // elections do not raise terms on it); this answer makes it step down.
      this.send(newMessage('appResp', m.from));
    } else if (m.type === 'preVote') {
      this.send(newMessage('preVoteResp', m.from, { term: this.term, reject: true }));
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // Reply in the candidate's term, which for a pre-vote is a term we have not entered.
      this.send(newMessage(voteRespType(m.type), m.from, { term: m.term }));
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(newMessage(voteRespType(m.type), m.from, { term: this.term, reject: true }));
    }
  }

  /** Leader: serve or hold a ReadIndex request (see read-index.ts). */
  leaderReadIndex(m: Message): void {
    leaderReadIndex(this, m);
  }

  // ---- configuration ----------------------------------------------------------------------------

  applyConfChange(cc: ConfChange): ConfState {
    const cs = ProgressTracker.applyChange(this.trk.confState(), cc);
    this.switchToConfig(cs);
    return cs;
  }

  switchToConfig(cs: ConfState): void {
    this.trk.setConfig(cs, Math.max(this.log.lastIndex(), 1));
    if (this.role !== 'leader') return;
    if (!this.trk.isVoter(this.id)) {
      // Removed or demoted leader: tell followers the commit index, then stop leading.
      bcastAppend(this);
      this.becomeFollower(this.term, NONE);
      return;
    }
    // Fewer voters may mean a lower quorum; new members need probing.
    if (maybeCommit(this)) bcastCommit(this);
    else for (const id of this.trk.progress.keys()) if (id !== this.id) maybeSendAppend(this, id, false);
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
  }

  /** Used by proposals: would the change leave a valid configuration? */
  confChangeValid(data: Uint8Array): boolean {
    try {
      const cc = decodeConfChange(data);
      if (!Number.isSafeInteger(cc.nodeId) || cc.nodeId <= 0) return false;
      return ProgressTracker.applyChange(this.trk.confState(), cc).voters.length > 0;
    } catch {
      return false;
    }
  }
}
