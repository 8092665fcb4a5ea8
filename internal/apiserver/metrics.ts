import type { FastifyInstance } from 'fastify';
import type { EdgeCounters } from './edge.js';

/**
 * A small Prometheus text endpoint (/metrics, authenticated like upstream's): request counts by
 * method and code, and the gauges an operator needs to see limits coming (in-flight, watches).
 * Names follow kube-apiserver's where the meaning matches.
 */
export interface MetricsSources {
  inFlight(): number;
  /** Requests refused 429 for want of a seat. */
  rejected(): number;
  /** Seats each class has now (below the configured limits while the event loop lags). */
  seatLimits(): { readOnly: number; mutating: number };
  /** The event loop's last sample (mean delay, utilization), when seats adapt to it. */
  eventLoop(): { lagMs: number; utilization: number } | undefined;
  watches(): number;
  connections(): EdgeCounters;
}

export class RequestMetrics {
  #counts = new Map<string, number>();
  #unexpected = 0;

  /** A 500 (or a failed watch stream): a defect, logged at error level where it happened. */
  recordUnexpected(): void {
    this.#unexpected++;
  }

  record(method: string, code: number): void {
    const key = `${method}\u0000${code}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  render(sources: MetricsSources): string {
    const lines = [
      '# HELP apiserver_request_total Counter of apiserver requests broken out by HTTP method and response code.',
      '# TYPE apiserver_request_total counter',
    ];
    for (const [key, n] of [...this.#counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [method, code] = key.split('\u0000');
      lines.push(`apiserver_request_total{code="${code}",method="${method}"} ${n}`);
    }
    lines.push(
      '# HELP apiserver_current_inflight_requests Number of non-watch requests being served.',
      '# TYPE apiserver_current_inflight_requests gauge',
      `apiserver_current_inflight_requests ${sources.inFlight()}`,
      '# HELP kplane_apiserver_rejected_requests_total Requests answered 429: a full per-user queue or too long a wait for a seat.',
      '# TYPE kplane_apiserver_rejected_requests_total counter',
      `kplane_apiserver_rejected_requests_total ${sources.rejected()}`,
      '# HELP kplane_apiserver_seat_limit Requests a class may execute at once now: the in-flight limit, lowered while the event loop lags.',
      '# TYPE kplane_apiserver_seat_limit gauge',
      `kplane_apiserver_seat_limit{class="readOnly"} ${sources.seatLimits().readOnly}`,
      `kplane_apiserver_seat_limit{class="mutating"} ${sources.seatLimits().mutating}`,
      ...eventLoopLines(sources.eventLoop()),
      '# HELP apiserver_registered_watchers Number of open watches.',
      '# TYPE apiserver_registered_watchers gauge',
      `apiserver_registered_watchers ${sources.watches()}`,
      '# HELP kplane_apiserver_unauthenticated_connections Open connections that have not carried an authenticated request yet.',
      '# TYPE kplane_apiserver_unauthenticated_connections gauge',
      `kplane_apiserver_unauthenticated_connections ${sources.connections().unauthenticated}`,
      '# HELP kplane_apiserver_dropped_connections_total Connections dropped over the unauthenticated-connection or TLS-handshake bound.',
      '# TYPE kplane_apiserver_dropped_connections_total counter',
      `kplane_apiserver_dropped_connections_total ${sources.connections().droppedConnections}`,
      '# HELP kplane_apiserver_unexpected_errors_total Internal errors (500s and failed watch streams); each is logged at error level.',
      '# TYPE kplane_apiserver_unexpected_errors_total counter',
      `kplane_apiserver_unexpected_errors_total ${this.#unexpected}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

function eventLoopLines(s: { lagMs: number; utilization: number } | undefined): string[] {
  if (!s) return [];
  return [
    '# HELP kplane_apiserver_event_loop_delay_seconds Mean event-loop delay over the last sample (what the seats adapt to).',
    '# TYPE kplane_apiserver_event_loop_delay_seconds gauge',
    `kplane_apiserver_event_loop_delay_seconds ${(s.lagMs / 1000).toFixed(4)}`,
    '# HELP kplane_apiserver_event_loop_utilization Share of the last sample the event loop was busy.',
    '# TYPE kplane_apiserver_event_loop_utilization gauge',
    `kplane_apiserver_event_loop_utilization ${s.utilization.toFixed(3)}`,
  ];
}

export function registerMetrics(app: FastifyInstance, metrics: RequestMetrics, sources: MetricsSources): void {
  // Hijacked watch responses never reach onResponse; they are visible in the watcher gauge instead.
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.record(request.method, reply.statusCode);
    done();
  });
  app.get('/metrics', (_req, reply) => reply.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render(sources)));
}
