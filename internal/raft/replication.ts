import { entriesSize, isLogStorageError } from './storage.js';
import { newMessage } from './message.js';
import type { Raft } from './raft.js';
import type { NodeId } from './types.js';

// Leader-side sending: appends, snapshots and heartbeats, and the commit rule.

/**
 * Sends the next append to `to` if its progress allows (not paused). With sendIfEmpty=false, only
 * sends when there are entries to send. Falls back to a snapshot when the needed entries are
 * compacted. Returns true if a message was queued.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean, commitBump = false): boolean {
  const pr = r.trk.progress.get(to);
  if (!pr || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const ents = prevTerm === undefined ? undefined : r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsg);
  if (prevTerm === undefined || ents === undefined) return sendSnapshot(r, to);
  if (ents.length === 0 && !sendIfEmpty) return false;
  const m = newMessage('app', to, { index: prevIndex, logTerm: prevTerm, entries: ents, commit: r.log.committed });
  // An empty append needs no answer when the follower has acked everything sent (the answer would
  // change nothing here: match, next, inflights), nor, when it only carries a new commit index, when
  // the follower will ack anyway (an append ending at prevIndex is in flight). Probes, and the
  // appends that heartbeat answers trigger to recover a lost ack, are always answered.
  if (ents.length === 0 && pr.state === 'replicate' && (pr.match === prevIndex || (commitBump && pr.inflights.lastIndex() === prevIndex))) m.noAck = true;
  r.send(m);
  pr.sentEntries(ents.length, prevIndex + ents.length, entriesSize(ents));
  return true;
}

export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true);
}

export function bcastAppend(r: Raft): void {
  for (const id of r.trk.progress.keys()) if (id !== r.id) sendAppend(r, id);
}

/** bcastAppend after the commit index moved: empty appends that only carry it may ask for no answer. */
export function bcastCommit(r: Raft): void {
  for (const id of r.trk.progress.keys()) if (id !== r.id) maybeSendAppend(r, id, true, true);
}

/** InstallSnapshot: used when the follower needs entries this leader has compacted away. */
function sendSnapshot(r: Raft, to: NodeId): boolean {
  const pr = r.trk.progress.get(to)!;
  // A snapshot is expensive: only send it to a follower known to be alive.
  if (!pr.recentActive) return false;
  let snap;
  try {
    snap = r.log.snapshot();
  } catch (err) {
    if (isLogStorageError(err, 'SnapshotTemporarilyUnavailable')) return false;
    throw err;
  }
  if (snap.metadata.index === 0) return false;
  pr.becomeSnapshot(snap.metadata.index);
  r.send(newMessage('snap', to, { snapshot: snap }));
  return true;
}

export function sendHeartbeat(r: Raft, to: NodeId, context: Uint8Array | undefined): void {
  const pr = r.trk.progress.get(to)!;
  // Never tell a follower to commit past what it is known to hold: it might not have those entries.
  const commit = Math.min(pr.match, r.log.committed);
  r.send(newMessage('heartbeat', to, { commit, context }));
}

export function bcastHeartbeat(r: Raft, context?: Uint8Array): void {
  const ctx = context ?? r.readOnly.lastPendingContext();
  for (const id of r.trk.progress.keys()) if (id !== r.id) sendHeartbeat(r, id, ctx);
}

/**
 * Advances the commit index to what a quorum of voters holds durably, but only to an entry of the
 * current term (§5.4.2: older-term entries commit indirectly; Figure 8). Returns true if it moved.
 */
export function maybeCommit(r: Raft): boolean {
  const before = r.log.committed;
  if (!r.log.maybeCommit(r.trk.committed(), r.term)) return false;
  if (r.log.term(before) !== r.term) releasePendingReadIndex(r);
  return true;
}

/** Once the first entry of the term commits, held ReadIndex requests can be served. */
function releasePendingReadIndex(r: Raft): void {
  const held = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of held) r.leaderReadIndex(m);
}
