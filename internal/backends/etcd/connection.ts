import { METHODS } from './codec.js';
import { isRetryable, translateEtcdError } from './errors.js';
import { Code, GrpcChannel, grpcError } from './grpc-channel.js';
import type { PbStatusResponse } from './proto.js';

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

/** A streaming call: decoded answers as 'data', 'error' (a gRPC failure) or 'end'. */
export interface EtcdStream<T> {
  on(event: 'data', fn: (res: T) => void): EtcdStream<T>;
  on(event: 'error', fn: (err: Error) => void): EtcdStream<T>;
  on(event: 'end', fn: () => void): EtcdStream<T>;
  write(req: object): void;
  cancel(): void;
}

/** Bounds of one call: an absolute deadline (default: now + callTimeoutMs) and the per-attempt timeout. */
export interface CallBounds {
  deadline?: number;
  attemptMs?: number;
}

/** One member: one HTTP/2 connection carrying every call to it. */
export interface Member {
  readonly url: string;
  readonly channel: GrpcChannel;
  healthy: boolean;
  version?: string;
}

/**
 * Keepalive tuned so a member that stops answering is noticed in about three seconds (two of
 * silence, one for the ping's ack; the HTTP/2 defaults take 30-45 s), while staying inside etcd's
 * ping policy (--grpc-keepalive-min-time, 5 s by default): etcd answers a ping sooner than that
 * with GOAWAY "too_many_pings" only when it sent no data since the last one, and a ping follows
 * two seconds of silence. The health probe (every second) moves requests off such a member sooner.
 */
const KEEPALIVE_MS = 2000;
const KEEPALIVE_TIMEOUT_MS = 1000;

/** No attempt was made: the call's deadline had passed already (nothing was sent). */
function deadlineError(): Error {
  return grpcError(Code.UNAVAILABLE, 'no member was tried: the call deadline had passed');
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
    this.members = o.endpoints.map((url) => ({
      url,
      healthy: true,
      channel: new GrpcChannel(new URL(url), { ...o.tls, keepaliveMs: KEEPALIVE_MS, keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS }),
    }));
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

  async once<T>(m: Member, service: ServiceName, method: string, req: object, timeoutMs: number): Promise<T> {
    const rpc = METHODS[`${service}.${method}`];
    if (!rpc) throw new Error(`etcd: no codec for ${service}.${method}`);
    const res = rpc.decode(await m.channel.unary(rpc.path, rpc.encode(req), timeoutMs)) as T;
    const rev = (res as { header?: { revision?: number } }).header?.revision ?? 0;
    if (rev > this.revision) this.revision = rev;
    return res;
  }

  /** A streaming call on a member; `write` takes request objects, 'data' gives decoded answers. */
  stream<T>(m: Member, service: ServiceName, method: string): EtcdStream<T> {
    const rpc = METHODS[`${service}.${method}`]!;
    const s = m.channel.stream(rpc.path);
    const out: EtcdStream<T> = {
      on(event: string, fn: (arg?: unknown) => void) {
        s.on(event, event === 'data' ? (msg: Buffer) => fn(rpc.decode(msg)) : fn);
        return out;
      },
      write: (req: object) => s.write(rpc.encode(req)),
      cancel: () => s.cancel(),
    } as EtcdStream<T>;
    return out;
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
    for (const m of this.members) m.channel.close();
  }
}
