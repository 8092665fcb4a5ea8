import type { EngineStats, EngineStatus } from './engine-types.js';

/**
 * Decides when the engine worker sends its status to the parent thread (RaftNode.status(), `kplane
 * status`, the API directory, joins waiting for a configuration change). Called once per tick: it
 * reports at once when anything a reader acts on changed (role, leader, term, commit, indexes,
 * membership, a member's progress, snapshot counters), and otherwise only every `refreshTicks`
 * ticks, which keeps the always-moving figures (ms since a peer was heard from, tick and Ready
 * counters) at most that old. An idle cluster then posts once a second instead of ten times: each
 * post is a structured clone here and a wake-up of the parent's event loop.
 */
export class StatusReporter {
  private lastKey: string | undefined;
  private quietTicks = 0;

  constructor(
    private readonly send: (status: EngineStatus, stats: EngineStats) => void,
    private readonly refreshTicks = 10,
  ) {}

  /** One tick passed: send the status if it changed, or if the last one is refreshTicks old. */
  tick(status: EngineStatus, stats: EngineStats): void {
    const key = statusKey(status, stats);
    if (key === this.lastKey && ++this.quietTicks < this.refreshTicks) return;
    this.lastKey = key;
    this.quietTicks = 0;
    this.send(status, { ...stats });
  }
}

/**
 * Everything of a status except what moves on its own: the applied index (the parent fills in its
 * own), ms since a peer was last heard from, and the tick and Ready counters.
 */
export function statusKey(st: EngineStatus, stats: EngineStats): string {
  let key = `${st.role} ${st.leader} ${st.term} ${st.commit} ${st.lastIndex} ${st.snapshotIndex} v${st.voters.join(',')} l${st.learners.join(',')}`;
  key += ` ${JSON.stringify(st.members)} ${JSON.stringify(st.domains)} ${JSON.stringify(st.spares ?? null)} ${JSON.stringify(st.unreachable ?? null)}`;
  if (st.progress) {
    for (const id in st.progress) {
      const p = st.progress[id]!;
      key += ` ${id}:${p.match}:${p.state}:${p.recentActive ? 1 : 0}`;
    }
  }
  return `${key} ${stats.tickLateMaxMs} ${stats.snapshotsTaken} ${stats.snapshotsInstalled} ${stats.snapshotsSent}`;
}
