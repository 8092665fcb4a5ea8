import { validateConfig, type Config } from './config.js';
import type { RaftCore } from './core.js';
import { newMessage } from './message.js';
import { Raft } from './raft.js';
import { leaderPropose, reportSnapshot, reportUnreachable } from './step-leader.js';
import { entriesSize } from './storage.js';
import { encodeConfChange } from './conf-change.js';
import {
  NONE,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type ProposeResult,
  type Ready,
  type SoftState,
  type Status,
} from './types.js';

/** Builds a RaftCore. Throws ConfigError on bad options, AssertionError on inconsistent storage. */
export function createRaft(config: Config): RaftCore {
  return new RawNode(new Raft(validateConfig(config)));
}

/** The RaftCore implementation: wraps Raft and turns its state changes into Ready batches. */
class RawNode implements RaftCore {
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(private readonly r: Raft) {
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  get id(): NodeId {
    return this.r.id;
  }

  tick(): void {
    this.r.tick();
  }

  step(msg: Message): void {
    this.r.step(msg);
  }

  propose(data: Uint8Array): ProposeResult {
    return this.proposeEntry({ term: 0, index: 0, type: 'normal', data });
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.proposeEntry({ term: 0, index: 0, type: 'confChange', data: encodeConfChange(cc) });
  }

  private proposeEntry(e: Entry): ProposeResult {
    const r = this.r;
    if (r.role === 'leader') return leaderPropose(r, [e]);
    if (r.lead === NONE) return { ok: false, reason: 'noLeader' };
    if (r.cfg.disableProposalForwarding) return { ok: false, reason: 'forwardingDisabled' };
    r.send(newMessage('prop', r.lead, { entries: [e] }));
    return { ok: true };
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.r.applyConfChange(cc);
  }

  readIndex(context: Uint8Array): ProposeResult {
    const r = this.r;
    if (r.role !== 'leader' && r.lead === NONE) return { ok: false, reason: 'noLeader' };
    r.step(newMessage('readIndex', r.role === 'leader' ? r.id : r.lead, { from: r.id, context }));
    return { ok: true };
  }

  transferLeader(to: NodeId): void {
    this.r.step(newMessage('transferLeader', this.r.lead, { from: to }));
  }

  campaign(): void {
    this.r.hup(false);
  }

  forgetLeader(): boolean {
    return this.r.forgetLeader();
  }

  reportUnreachable(id: NodeId): void {
    if (this.r.role === 'leader') reportUnreachable(this.r, id);
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    if (this.r.role === 'leader') reportSnapshot(this.r, id, ok);
  }

  hasReady(): boolean {
    const r = this.r;
    if (!softEqual(this.softState(), this.prevSoft)) return true;
    if (!hardEqual(this.hardState(), this.prevHard)) return true;
    if (r.log.unstable.nextSnapshot()) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstable.nextEntries().length > 0) return true;
    return r.log.hasNextCommittedEnts();
  }

  ready(): Ready {
    const r = this.r;
    const soft = this.softState();
    const hard = this.hardState();
    const rd: Ready = {
      entries: r.log.unstable.nextEntries(),
      committedEntries: r.log.nextCommittedEnts(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    const snap = r.log.unstable.nextSnapshot();
    if (snap) rd.snapshot = snap;
    if (!softEqual(soft, this.prevSoft)) rd.softState = soft;
    if (!hardEqual(hard, this.prevHard)) rd.hardState = hard;
    // Term and vote must survive a crash before anything is sent; a commit-only change need not be
    // fsynced (it can be re-learned from the leader).
    rd.mustSync =
      rd.entries.length > 0 || rd.snapshot !== undefined || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote;
    // Mark everything as handed out.
    r.msgs = [];
    r.readStates = [];
    r.log.unstable.acceptInProgress();
    if (rd.committedEntries.length > 0) {
      r.log.applying = rd.committedEntries[rd.committedEntries.length - 1]!.index;
    }
    this.prevSoft = soft;
    this.prevHard = hard;
    return rd;
  }

  advance(rd: Ready): void {
    const r = this.r;
    if (rd.snapshot) {
      const i = rd.snapshot.metadata.index;
      r.log.unstable.stableSnapTo(i);
      // The driver applied the snapshot; clamp to commit in case the log moved since ready().
      if (i <= r.log.committed) r.log.appliedTo(i);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      r.log.unstable.stableTo(last.index, last.term);
      if (r.role === 'leader') this.selfAck(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      r.log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1]!.index);
      if (r.role === 'leader') r.uncommittedSize = Math.max(0, r.uncommittedSize - entriesSize(rd.committedEntries));
    }
  }

  /** The leader's own durable append counts toward the quorum only now (etcd #14370). */
  private selfAck(index: number, term: number): void {
    const r = this.r;
    if (r.log.term(index) !== term) return;
    r.step(newMessage('appResp', r.id, { from: r.id, term: r.term, index }));
  }

  status(): Status {
    const r = this.r;
    const st: Status = {
      id: r.id,
      hardState: this.hardState(),
      softState: this.softState(),
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      config: r.trk.confState(),
      leadTransferee: r.leadTransferee,
    };
    if (r.role === 'leader') {
      st.progress = new Map([...r.trk.progress].map(([id, pr]) => [id, pr.toStatus()]));
    }
    return st;
  }

  private softState(): SoftState {
    return { leader: this.r.lead, role: this.r.role };
  }

  private hardState(): HardState {
    return { term: this.r.term, vote: this.r.vote, commit: this.r.log.committed };
  }
}

function softEqual(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function hardEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
