import { newMessage } from './message.js';
import type { Raft } from './raft.js';
import { bcastHeartbeat } from './replication.js';
import { NONE, type Message } from './types.js';

/**
 * Leader: handles a ReadIndex request (local when m.from is this node, else forwarded).
 * The read point is the current commit index, valid once a heartbeat round reaches a quorum.
 * Until this leader has committed an entry of its own term, its commit index may be behind the
 * previous leader's, so requests are held (released by maybeCommit).
 */
export function leaderReadIndex(r: Raft, m: Message): void {
  if (r.trk.voters.size === 1 && r.trk.isVoter(r.id)) {
    respondRead(r, m, r.log.committed);
    return;
  }
  if (r.log.term(r.log.committed) !== r.term) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  if (r.cfg.readOnlyLeaseBased) {
    // CheckQuorum deposes a leader cut off for an election timeout, and followers in lease refuse
    // to vote, so with bounded clock drift no newer leader can exist yet.
    respondRead(r, m, r.log.committed);
    return;
  }
  r.readOnly.add(r.log.committed, m);
  r.readOnly.recvAck(r.id, m.context);
  bcastHeartbeat(r, m.context);
}

/** Leader: a heartbeat response carrying a read context; releases requests confirmed by a quorum. */
export function recvReadAck(r: Raft, m: Message): void {
  if (!m.context || m.context.length === 0) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (!acks || !r.trk.hasQuorum(acks)) return;
  for (const req of r.readOnly.advance(m.context)) respondRead(r, req.req, req.index);
}

function respondRead(r: Raft, req: Message, index: number): void {
  const context = req.context ?? new Uint8Array();
  if (req.from === NONE || req.from === r.id) r.readStates.push({ index, context });
  else r.send(newMessage('readIndexResp', req.from, { index, context }));
}
