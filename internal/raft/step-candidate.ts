import type { Raft } from './raft.js';
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from './step-follower.js';
import type { Message } from './types.js';

/** Candidate and pre-candidate: count votes; a leader of our term (or higher) makes us follow. */
export function stepCandidate(r: Raft, m: Message): void {
  const myVoteResp = r.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  switch (m.type) {
    case 'app':
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return;
    case 'heartbeat':
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case 'snap':
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case 'voteResp':
    case 'preVoteResp':
      if (m.type === myVoteResp) r.poll(m.from, !m.reject);
      return;
    default:
      return; // proposals, reads and transfers are dropped: there is no leader yet
  }
}
