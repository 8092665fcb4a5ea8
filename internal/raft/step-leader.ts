import { entriesSize } from './storage.js';
import { newMessage } from './message.js';
import type { Raft } from './raft.js';
import { recvReadAck } from './read-index.js';
import { bcastAppend, bcastCommit, bcastHeartbeat, maybeCommit, maybeSendAppend, sendAppend } from './replication.js';
import { NONE, type Entry, type Message, type NodeId, type ProposeResult } from './types.js';

/** Leader tick: heartbeats, CheckQuorum step-down and the leader-transfer deadline. */
export function tickHeartbeat(r: Raft): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.cfg.electionTick) {
    r.electionElapsed = 0;
    if (r.cfg.checkQuorum && !r.trk.quorumActive(r.id)) {
      // Cut off from a quorum: stop acting as leader so clients go elsewhere (no stale leadership).
      r.becomeFollower(r.term, NONE);
      return;
    }
    // A transfer that did not finish within an election timeout is abandoned.
    r.leadTransferee = NONE;
    expireSnapshots(r);
  }
  if (r.heartbeatElapsed >= r.cfg.heartbeatTick) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r);
  }
}

/**
 * Election-timeout rounds a follower may stay in the snapshot state without a report or an answer.
 * Without this, one lost snapshot message would stall that follower until the driver called
 * reportSnapshot; after it, the leader probes again (and resends a snapshot if still needed).
 */
export const SNAPSHOT_TIMEOUT_ROUNDS = 3;

function expireSnapshots(r: Raft): void {
  for (const [id, pr] of r.trk.progress) {
    if (pr.state === 'snapshot' && ++pr.snapshotRounds >= SNAPSHOT_TIMEOUT_ROUNDS) reportSnapshot(r, id, false);
  }
}

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'prop':
      leaderPropose(r, m.entries);
      return;
    case 'readIndex':
      r.leaderReadIndex(m);
      return;
    case 'transferLeader':
      handleTransferLeader(r, m.from);
      return;
    case 'appResp':
      handleAppResp(r, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResp(r, m);
      return;
    default:
      return; // stale votes or answers from an earlier role: nothing to do
  }
}

/** Appends a proposal on the leader, or explains why it was dropped. */
export function leaderPropose(r: Raft, entries: Entry[]): ProposeResult {
  if (entries.length === 0) return { ok: true };
  if (!r.trk.progress.has(r.id)) return { ok: false, reason: 'noLeader' }; // removed from the cluster
  if (r.leadTransferee !== NONE) return { ok: false, reason: 'leaderTransferInProgress' };
  for (const e of entries) {
    if (e.type !== 'confChange') continue;
    if (r.pendingConfIndex > r.log.applied) return { ok: false, reason: 'confChangePending' };
    if (!r.confChangeValid(e.data)) return { ok: false, reason: 'invalidConfChange' };
  }
  const size = entriesSize(entries);
  const max = r.cfg.maxUncommittedEntriesSize;
  // An empty uncommitted tail always accepts one proposal, however large, so progress is possible.
  if (max > 0 && r.uncommittedSize > 0 && r.uncommittedSize + size > max) {
    return { ok: false, reason: 'uncommittedSizeLimit' };
  }
  r.appendEntries(entries.map((e) => ({ type: e.type, data: e.data })));
  bcastAppend(r);
  return { ok: true };
}

function handleAppResp(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  if (m.reject) {
    // The follower's hint (rejectHint, logTerm) lets us skip every entry of a conflicting term.
    let next = m.rejectHint;
    if (m.logTerm > 0) next = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
    if (pr.maybeDecrTo(m.index, next)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  if (m.from === r.id) {
    // The leader's own durable-append ack (RawNode.advance): only the commit rule applies.
    if (pr.maybeUpdate(m.index) && maybeCommit(r)) bcastCommit(r);
    return;
  }
  const wasPaused = pr.isPaused();
  if (pr.maybeUpdate(m.index)) {
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
      // The snapshot (or a later append) caught it up to where our log can continue.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (maybeCommit(r)) bcastCommit(r);
    else if (wasPaused) sendAppend(r, m.from);
    // Keep the pipeline full while the window allows.
    while (maybeSendAppend(r, m.from, false)) {
      /* each call sends one message */
    }
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
  }
}

function handleHeartbeatResp(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from);
  if (!pr) return;
  pr.recentActive = true;
  pr.probeSent = false; // a probe gets one retry per heartbeat
  // A full window whose appends were all lost would pause this follower forever; a live follower
  // lets one more append out, whose rejection (or ack) gets replication moving again.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex()) sendAppend(r, m.from);
  recvReadAck(r, m);
}

/** Leadership transfer (thesis §3.10): catch the transferee up, then send it timeoutNow. */
function handleTransferLeader(r: Raft, to: NodeId): void {
  const pr = r.trk.progress.get(to);
  if (!pr || pr.isLearner || to === r.id) return;
  if (r.leadTransferee === to) return;
  r.leadTransferee = to;
  // The transfer must finish within one election timeout (checked in tickHeartbeat).
  r.electionElapsed = 0;
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, to);
  else sendAppend(r, to);
}

function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send(newMessage('timeoutNow', to));
}

/** Leader: the transport failed to deliver to `id`; stop pipelining and probe again. */
export function reportUnreachable(r: Raft, id: NodeId): void {
  const pr = r.trk.progress.get(id);
  if (pr && pr.state === 'replicate') pr.becomeProbe();
}

/** Leader: outcome of sending a snapshot to `id`. Either way, probe from here (after a heartbeat). */
export function reportSnapshot(r: Raft, id: NodeId, ok: boolean): void {
  const pr = r.trk.progress.get(id);
  if (!pr || pr.state !== 'snapshot') return;
  if (!ok) pr.pendingSnapshot = 0;
  pr.becomeProbe();
  pr.probeSent = true;
}
