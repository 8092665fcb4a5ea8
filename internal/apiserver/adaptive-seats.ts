import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Seats sized to what this process can run, not only to the configured in-flight limits.
 *
 * Every request of a node runs on one event loop. The configured limits (upstream's 400 read-only,
 * 200 mutating) are far above what one loop executes at once, so a client with 64 creates in flight
 * never meets them: fair queuing never engages, and every other client's request waits behind the
 * flood's work at each step it takes through the loop. Here the limit of each class follows the
 * loop's delay: while the loop lags behind its target and is busy with its own work, the limit
 * shrinks (multiplicatively, from what is actually executing); while it keeps up, the limit grows
 * back (by an eighth a step) up to the configured one. A smaller limit makes the flows queue, and
 * fair dispatch then hands the next free seat to the flow whose turn it is, so a client sending
 * one request at a time waits for one seat, not behind a flood.
 *
 * Lag alone also rises when the machine is short of CPU for reasons outside the process; the
 * loop's utilization tells the two apart (a loop that is mostly idle is not overloaded by requests).
 * And the seats only shrink while at least two users compete for them (see nextSeatLimit).
 */
export interface AdaptiveSeatOptions {
  /** How far back a flow's last request counts it as competing for seats. */
  flowWindowMs: number;
  /** Fewest seats a class keeps (capped by its configured limit). */
  minSeats: number;
  /** Mean event-loop delay over a sample above which the loop counts as behind. */
  targetLagMs: number;
  /** Event-loop utilization (0..1) from which lag is blamed on this process's own work. */
  busyUtilization: number;
}

export const DEFAULT_ADAPTIVE_SEATS: AdaptiveSeatOptions = { flowWindowMs: 1000, minSeats: 4, targetLagMs: 10, busyUtilization: 0.75 };

export interface LoadSample {
  /** Mean event-loop delay over the sample, ms. */
  lagMs: number;
  /** Share of the sample the loop was busy, 0..1. */
  utilization: number;
}

/**
 * The next limit of one class, from its current limit, its configured one, what it executes now and
 * how many flows (users) asked for its seats lately. With one flow there is no one to be fair to:
 * the seats grow back, so a single heavy client (a bulk import, a benchmark) keeps its throughput.
 */
export function nextSeatLimit(current: number, configured: number, executing: number, flows: number, s: LoadSample, o: AdaptiveSeatOptions): number {
  if (configured <= 0) return configured; // unlimited stays unlimited
  const floor = Math.min(configured, o.minSeats);
  if (flows < 2) return Math.min(configured, Math.max(floor, current + Math.max(1, Math.ceil(current / 8))));
  if (s.lagMs > o.targetLagMs && s.utilization >= o.busyUtilization) {
    // Shrink from what runs now: a limit far above the executing count would take many steps to bite.
    return Math.max(floor, Math.floor(Math.min(current, executing) * 0.75));
  }
  if (s.lagMs <= o.targetLagMs / 2) return Math.min(configured, Math.max(floor, current + Math.max(1, Math.ceil(current / 8))));
  return Math.min(configured, Math.max(floor, current));
}

/**
 * Samples the loop every intervalMs (an unref'd timer) and hands each sample to `onSample`.
 * Returns a stop function.
 */
export function sampleEventLoop(intervalMs: number, onSample: (s: LoadSample) => void): () => void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const elu = performance.eventLoopUtilization(last);
    last = performance.eventLoopUtilization();
    // The histogram measures the delay of its own 10 ms timer; an empty one (no sample yet) is no lag.
    const lagMs = delay.count > 0 ? Math.max(0, delay.mean / 1e6 - 10) : 0;
    delay.reset();
    onSample({ lagMs, utilization: elu.utilization });
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
