import type { Message, MessageType, NodeId } from './types.js';

/** Builds a Message with every unused field zeroed, so all messages have the same shape. */
export function newMessage(type: MessageType, to: NodeId, fields: Partial<Message> = {}): Message {
  return {
    type,
    from: 0,
    to,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...fields,
  };
}

/** Marks a vote request caused by leadership transfer: it must bypass the leader lease. */
export const CAMPAIGN_TRANSFER = new TextEncoder().encode('CampaignTransfer');

export function isTransferCampaign(m: Message): boolean {
  const c = m.context;
  if (!c || c.length !== CAMPAIGN_TRANSFER.length) return false;
  for (let i = 0; i < c.length; i++) if (c[i] !== CAMPAIGN_TRANSFER[i]) return false;
  return true;
}

/** The vote-response type answering a vote-request type. */
export function voteRespType(t: MessageType): MessageType {
  return t === 'preVote' ? 'preVoteResp' : 'voteResp';
}
