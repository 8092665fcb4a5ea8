import type { Rand } from '../util/index.js';
import type { NodeId, Status } from './types.js';

/** Campaign attempts a driver makes after losing its leader's connection; then the election timeout rules. */
export const LEADER_LOSS_ATTEMPTS = 3;

/**
 * The early-campaign schedule for a driver whose connection to its leader `lost` just closed (and
 * forgetLeader() returned true): ms to wait before attempt number `attempt` (0-based) of campaign(),
 * or undefined when this node should not campaign (not a voter). Pure: the driver owns the timer,
 * and before firing checks that no leader is known meanwhile.
 *
 * Why ranked rather than just random: every surviving voter sees the connection drop within about a
 * millisecond, and two of them campaigning together split the vote (each votes for itself and
 * refuses the other in that term), which costs a whole randomized election timeout. So the survivors
 * take turns in id order, one heartbeat apart, with a little jitter (clocks and detection differ):
 * the first one normally wins, since the others forgot the leader too and grant its pre-vote and
 * vote. If it cannot (its log is behind, it did not see the drop, or it is slow), the next one tries a
 * heartbeat later and the first one grants it. Retries (attempt >= 1, after a split or a lost
 * message) wait until every survivor had its turn and spread further apart by rank.
 */
export function leaderLossCampaignDelay(st: Status, lost: NodeId, heartbeatMs: number, rand: Rand, attempt = 0): number | undefined {
  const survivors = st.config.voters.filter((id) => id !== lost).sort((a, b) => a - b);
  const rank = survivors.indexOf(st.id);
  if (rank < 0) return undefined;
  const slots = attempt === 0 ? rank : survivors.length + rank * (attempt + 1);
  return slots * heartbeatMs + (rand() * heartbeatMs) / 2;
}
