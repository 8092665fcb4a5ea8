import * as grpc from '@grpc/grpc-js';
import { isRetryable, translateEtcdError } from './errors.js';
import { etcdServices, type PbStatusResponse } from './proto.js';

export interface EtcdTls {
  /** CA bundle that signed the members' serving certificates (PEM); unset: the system roots. */
  ca?: Buffer;
  /** Client certificate and key (PEM) for members that require client-cert auth. */
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdConnectionOptions {
  /** Client URLs of the members, http://host:port or https://host:port. */
  endpoints: string[];
  tls?: EtcdTls;
  /** Deadline of one attempt on one member. Default 5000 ms. */
  attemptTimeoutMs?: number;
  /**
   * Deadline of one attempt of a write. Shorter than a read's: a member may forward a proposal to a
   * leader that just died, where it is dropped and never answered; the write is then resolved
   * (cas-write.ts) and sent again once a new leader is elected. Default 2000 ms.
   */
  writeAttemptTimeoutMs?: number;
  /** Deadline of a call across all its attempts (the API's answer comes before a client gives up). Default 10000 ms. */
  callTimeoutMs?: number;
  /** How often each member's health is probed (Status: up, and knows a leader). Default 1000 ms. */
  healthIntervalMs?: number;
  onHealthChange?: (endpoint: string, healthy: boolean, why: string) => void;
}

export type ServiceName = 'KV' | 'Watch' | 'Lease' | 'Maintenance';

/** Bounds of one call: an absolute deadline (default: now + callTimeoutMs) and the per-attempt timeout. */
export interface CallBounds {
  deadline?: number;
  attemptMs?: number;
}

/** One member: a channel and the service clients on it. */
export interface Member {
  readonly url: string;
  readonly clients: Record<ServiceName, grpc.Client>;
  healthy: boolean;
  version?: string;
}

/**
 * gRPC keepalive tuned so a member that stops answering is noticed in about two seconds (the
 * HTTP/2 defaults take 30-45 s), while staying inside etcd's ping policy
 * (--grpc-keepalive-min-time, 5 s by default): etcd answers a ping sooner than that with
 * GOAWAY "too_many_pings" only when it sent no data since the last one, and the health probe makes
 * it send some every second.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 2000,
  'grpc.keepalive_timeout_ms': 1000,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.min_reconnect_backoff_ms': 100,
  // Lists of a whole resource are one message; etcd bounds requests, not responses.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // Per-call bookkeeping kplane never reads: channelz statistics, and the buffering of every
  // message for transparent retries (failover is done here, with etcd's own errors in view).
  'grpc.enable_channelz': 0,
  'grpc.enable_retries': 0,
};

/** No attempt was made: the call's deadline had passed already (nothing was sent). */
function deadlineError(): Error {
  const msg = 'no member was tried: the call deadline had passed';
  return Object.assign(new Error(msg), { code: grpc.status.UNAVAILABLE, details: msg });
}

/** etcd fails a request at once when the member has no leader, instead of after its own timeout. */
export function leaderMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('hasleader', 'true');
  return md;
}

/**
 * The members of one etcd cluster: unary calls are balanced over the healthy members (rotating) and
 * fail over to the next one when a member is down, has no leader or does not answer in time (reads
 * always; writes only when etcd certainly did not take them, see errors.ts).
 */
export class EtcdConnection {
  readonly members: Member[];
  private next = 0;
  /** The newest revision any answer carried: "now" for a watch that starts from now. */
  revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly attemptMs: number;
  readonly callMs: number;
  readonly writeAttemptMs: number;

  constructor(private readonly o: EtcdConnectionOptions) {
    if (o.endpoints.length === 0) throw new Error('etcd: no endpoints');
    this.attemptMs = o.attemptTimeoutMs ?? 5000;
    this.callMs = o.callTimeoutMs ?? 10_000;
    this.writeAttemptMs = o.writeAttemptTimeoutMs ?? 2000;
    const svc = etcdServices();
    this.members = o.endpoints.map((url) => {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      const creds = secure ? grpc.credentials.createSsl(o.tls?.ca ?? null, o.tls?.key ?? null, o.tls?.cert ?? null) : grpc.credentials.createInsecure();
      const channel = new grpc.Channel(u.host, creds, CHANNEL_OPTIONS);
      const make = (C: grpc.ServiceClientConstructor) => new C(u.host, creds, { channelOverride: channel });
      return { url, healthy: true, clients: { KV: make(svc.KV), Watch: make(svc.Watch), Lease: make(svc.Lease), Maintenance: make(svc.Maintenance) } };
    });
  }

  /** Starts the health probes; resolves after the first round. */
  async start(): Promise<void> {
    await this.probeAll();
    const tick = () => {
      this.timer = setTimeout(() => void this.probeAll().finally(() => !this.closed && tick()), this.o.healthIntervalMs ?? 1000);
      this.timer.unref();
    };
    tick();
  }

  /** True when at least one member is up and follows a leader. */
  ready(): boolean {
    return this.members.some((m) => m.healthy);
  }

  /** The etcd server version of the first member that told it (e.g. "3.4.23"). */
  version(): string | undefined {
    return this.members.find((m) => m.version)?.version;
  }

  /** Members to try, healthy ones first, starting one further each call (balancing). */
  order(): Member[] {
    const n = this.members.length;
    const start = this.next++ % n;
    const rotated = Array.from({ length: n }, (_, i) => this.members[(start + i) % n]!);
    return [...rotated.filter((m) => m.healthy), ...rotated.filter((m) => !m.healthy)];
  }

  /** One unary call with failover. `what` names the operation in errors ("get", "create", ...). */
  async call<T>(service: ServiceName, method: string, req: object, what: string, idempotent: boolean, bounds: CallBounds = {}): Promise<T> {
    const deadline = bounds.deadline ?? Date.now() + this.callMs;
    const attemptMs = bounds.attemptMs ?? this.attemptMs;
    let last: unknown;
    for (const m of this.order()) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        // A member the probe found down gets a short try: a request must not wait out a hung member.
        return await this.once<T>(m, service, method, req, Math.min(left, m.healthy ? attemptMs : 2000));
      } catch (err) {
        last = err;
        if (!isRetryable(err, idempotent)) break;
        this.mark(m, false, (err as Error).message);
      }
    }
    throw translateEtcdError(last ?? deadlineError(), what, idempotent);
  }

  once<T>(m: Member, service: ServiceName, method: string, req: object, timeoutMs: number): Promise<T> {
    const client = m.clients[service] as unknown as Record<string, (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: Error | null, res: T) => void) => void>;
    return new Promise<T>((resolve, reject) => {
      client[method]!.call(client, req, leaderMetadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) return reject(err);
        const rev = (res as { header?: { revision?: number } }).header?.revision ?? 0;
        if (rev > this.revision) this.revision = rev;
        resolve(res);
      });
    });
  }

  mark(m: Member, healthy: boolean, why: string): void {
    if (m.healthy === healthy) return;
    m.healthy = healthy;
    this.o.onHealthChange?.(m.url, healthy, why);
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        try {
          const st = await this.once<PbStatusResponse>(m, 'Maintenance', 'Status', {}, 1000);
          m.version = st.version;
          if (st.leader === 0) this.mark(m, false, 'member has no leader');
          else if (st.errors.length > 0) this.mark(m, false, st.errors.join('; '));
          else this.mark(m, true, 'member answers and follows a leader');
        } catch (err) {
          this.mark(m, false, (err as Error).message);
        }
      }),
    );
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const m of this.members) for (const c of Object.values(m.clients)) c.close();
  }
}
