import { newMessage } from './message.js';
import type { Raft } from './raft.js';
import { NONE, type Message, type Snapshot } from './types.js';

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'prop':
      if (r.lead === NONE || r.cfg.disableProposalForwarding) return;
      r.send({ ...m, to: r.lead });
      return;
    case 'readIndex':
    case 'transferLeader':
      // Routed to the leader; `from` stays the requester (readIndex) or the transferee.
      if (r.lead !== NONE) r.send({ ...m, to: r.lead });
      return;
    case 'app':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return;
    case 'heartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case 'snap':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case 'timeoutNow':
      // The leader asked us to take over: campaign at once, bypassing PreVote and leases.
      r.hup(true);
      return;
    case 'readIndexResp':
      r.readStates.push({ index: m.index, context: m.context ?? new Uint8Array() });
      return;
    default:
      return;
  }
}

/** AppendEntries receiver (§5.3). The ack is sent only after the entries are durable (Ready contract). */
export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // Everything up to our commit index is known to match; tell the leader where we are.
    r.send(newMessage('appResp', m.from, { index: r.log.committed }));
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    // The leader knows we hold everything through m.index and asked for no answer (replication.ts).
    if (m.noAck && m.entries.length === 0 && lastNew === m.index) return;
    r.send(newMessage('appResp', m.from, { index: lastNew }));
    return;
  }
  // Mismatch: hint the largest index whose term is <= the leader's prev term, so the leader can skip
  // a whole term of conflicting entries per round trip.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send(newMessage('appResp', m.from, { index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
}

export function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send(newMessage('heartbeatResp', m.from, { context: m.context }));
}

export function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot;
  if (snap && restore(r, snap)) r.send(newMessage('appResp', m.from, { index: r.log.lastIndex() }));
  else r.send(newMessage('appResp', m.from, { index: r.log.committed }));
}

/** Installs a snapshot unless we already have its entries. Returns true if the log was replaced. */
function restore(r: Raft, s: Snapshot): boolean {
  const { index, term, confState } = s.metadata;
  if (index <= r.log.committed) return false;
  // Unlike etcd we accept a snapshot whose configuration lacks us: a joining node receives the
  // configuration from before its own addition and then applies the entry that adds it.
  if (r.log.matchTerm(index, term)) {
    // We hold the entry already: just fast-forward the commit index.
    r.log.commitTo(index);
    return false;
  }
  r.log.restore(s);
  r.switchToConfig(confState);
  return true;
}
