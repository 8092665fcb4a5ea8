import { isApiError, type KubeObject } from '../api/index.js';
import { microTime, type Client, type ResourceRef } from '../client/index.js';
import { realClock, type Clock } from '../util/index.js';
import { cancellableWait, type Wake } from './wait.js';

export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const LEASE_NAMESPACE = 'kube-system';

/** kube-controller-manager's defaults. */
export const DEFAULT_TIMINGS: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaseTimings {
  /** How long a standby waits after it last saw the Lease change before it takes the Lease. */
  leaseDurationMs: number;
  /** How long the holder keeps retrying a failed renewal before it steps down. */
  renewDeadlineMs: number;
  /** The pause between attempts to acquire or renew. */
  retryPeriodMs: number;
}

/** The Lease a leader's writes are fenced with (see internal/registry's LeaseFence). */
export interface HeldLease {
  namespace: string;
  name: string;
  holder: string;
  resourceVersion: string;
}

export interface ElectorOptions extends LeaseTimings {
  client: Client;
  /** The Lease's name (in kube-system). */
  name: string;
  namespace?: string;
  /** This candidate's holderIdentity (node name + random suffix). */
  identity: string;
  clock?: Clock;
  rand?: () => number;
  /** Give the Lease up when run's signal aborts while leading, so a standby takes over at once (default true). */
  releaseOnCancel?: boolean;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Checks client-go's rules for the three timings; returns the first broken rule's message. */
export function validateTimings(t: LeaseTimings): string | undefined {
  if (!(t.leaseDurationMs > 0 && t.renewDeadlineMs > 0 && t.retryPeriodMs > 0)) return 'lease duration, renew deadline and retry period must be positive';
  if (t.renewDeadlineMs >= t.leaseDurationMs) return `the renew deadline (${t.renewDeadlineMs} ms) must be less than the lease duration (${t.leaseDurationMs} ms)`;
  if (t.retryPeriodMs >= t.renewDeadlineMs) return `the retry period (${t.retryPeriodMs} ms) must be less than the renew deadline (${t.renewDeadlineMs} ms)`;
  return undefined;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics: acquire when the Lease
 * is free, released, or unchanged for a lease duration as seen by this candidate's own clock (never
 * comparing clocks across nodes); renew every retry period; step down when no renewal succeeded
 * within the renew deadline, or at once on seeing another holder; release on cancel.
 * leaseTransitions counts changes of holder. Beyond client-go: observe() feeds the Lease from an
 * informer, so a standby learns of a release at once and tries exactly when the lease expires.
 */
export class LeaseElector {
  private observed: { rv: string; spec: LeaseSpec; at: number } | undefined;
  private held: HeldLease | undefined;
  /** Bumped at each step-down, so an attempt begun before it cannot count. */
  private epoch = 0;
  private readonly clock: Clock;
  private readonly rand: () => number;
  private readonly wake: Wake = { fn: undefined };
  readonly namespace: string;

  constructor(private readonly opts: ElectorOptions) {
    this.clock = opts.clock ?? realClock;
    this.rand = opts.rand ?? Math.random;
    this.namespace = opts.namespace ?? LEASE_NAMESPACE;
  }

  get identity(): string {
    return this.opts.identity;
  }

  isLeader(): boolean {
    return this.held !== undefined;
  }

  /** The Lease as last written by this leader (undefined while not leading). */
  fence(): HeldLease | undefined {
    return this.held;
  }

  /** The holder this candidate last saw ("" when released, undefined before any read). */
  observedHolder(): string | undefined {
    return this.observed?.spec.holderIdentity;
  }

  /** Feeds a newer state of the Lease (from an informer); a released Lease wakes a standby at once. */
  observe(lease: KubeObject | undefined): void {
    const leading = this.held !== undefined;
    if (!lease) {
      this.observed = undefined;
      if (!leading) this.wake.fn?.();
      return;
    }
    this.record(lease);
    const holder = (lease.spec as LeaseSpec | undefined)?.holderIdentity;
    // A standby tries at once when the Lease is released; a leader steps down at once when it sees
    // another holder. Renewals by the holder only move a standby's expiry clock.
    if ((!holder && !leading) || (leading && holder !== this.opts.identity)) this.wake.fn?.();
  }

  /**
   * Campaigns until the signal aborts. Each time the Lease is won, lead(leading) is called with a
   * signal that aborts when leadership is lost (or run's signal aborts); run waits for lead's
   * promise before campaigning again.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) break;
      const leading = new AbortController();
      const stopLeading = () => leading.abort();
      signal.addEventListener('abort', stopLeading, { once: true });
      const led = lead(leading.signal).catch((err: unknown) => this.opts.log?.('leader callback failed', { err: String(err) }));
      await this.renewLoop(leading.signal);
      leading.abort();
      signal.removeEventListener('abort', stopLeading);
      const wasHeld = this.held;
      this.held = undefined;
      this.epoch++;
      await led;
      if (signal.aborted && wasHeld && this.opts.releaseOnCancel !== false) await this.release(wasHeld);
    }
  }

  /** Tries every retry period (or when woken) until the Lease is ours; false if the signal aborted. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew().catch((err: unknown) => {
        this.opts.log?.('lease acquire attempt failed', { lease: this.opts.name, err: String(err) });
        return false;
      });
      if (ok) {
        this.opts.log?.('acquired lease', { lease: this.opts.name, identity: this.opts.identity });
        return true;
      }
      let waitMs = this.opts.retryPeriodMs * (1 + 0.2 * this.rand());
      const o = this.observed;
      if (o?.spec.holderIdentity) waitMs = Math.min(waitMs, Math.max(1, o.at + this.opts.leaseDurationMs - this.clock.now() + 1));
      await cancellableWait(this.clock, waitMs, signal, this.wake);
    }
    return false;
  }

  /** Renews every retry period until a round misses the renew deadline, another holder shows, or leading aborts. */
  private async renewLoop(leading: AbortSignal): Promise<void> {
    while (!leading.aborted) {
      await cancellableWait(this.clock, this.opts.retryPeriodMs, leading, this.wake);
      if (leading.aborted) return;
      if (this.observed && this.observed.spec.holderIdentity !== this.opts.identity) {
        this.opts.log?.('lease taken by another holder; stepping down', { lease: this.opts.name, holder: this.observed.spec.holderIdentity });
        return;
      }
      const deadline = this.clock.now() + this.opts.renewDeadlineMs;
      let renewed = false;
      while (!leading.aborted && this.clock.now() < deadline) {
        const left = deadline - this.clock.now();
        renewed = await raceDeadline(this.clock, left, this.tryAcquireOrRenew().catch(() => false));
        if (renewed || (this.observed && this.observed.spec.holderIdentity !== this.opts.identity)) break;
        await cancellableWait(this.clock, Math.min(this.opts.retryPeriodMs, Math.max(0, deadline - this.clock.now())), leading, { fn: undefined });
      }
      if (!renewed) {
        if (!leading.aborted) this.opts.log?.('failed to renew lease; stepping down', { lease: this.opts.name, identity: this.opts.identity });
        return;
      }
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew): true when this candidate now holds the Lease. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, name } = this.opts;
    const me = this.opts.identity;
    const now = this.clock.now();
    const epoch = this.epoch;
    let cur: KubeObject | undefined;
    try {
      cur = await client.get(LEASES, this.namespace, name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    const spec: LeaseSpec = { holderIdentity: me, leaseDurationSeconds: Math.max(1, Math.ceil(this.opts.leaseDurationMs / 1000)), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
    if (!cur) {
      const created = await client.create(LEASES, this.namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: this.namespace }, spec }).catch((err: unknown) => {
        if (isApiError(err, 'AlreadyExists')) return undefined;
        throw err;
      });
      return created ? this.won(created, epoch) : false;
    }
    this.record(cur);
    const old = (cur.spec ?? {}) as LeaseSpec;
    const mine = old.holderIdentity === me;
    if (old.holderIdentity && !mine && this.observed!.at + this.opts.leaseDurationMs > now) return false;
    if (!mine && this.held) return false;
    if (mine) spec.acquireTime = old.acquireTime ?? spec.acquireTime;
    spec.leaseTransitions = (old.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const body: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: this.namespace, resourceVersion: cur.metadata.resourceVersion }, spec };
    try {
      return this.won(await client.update(LEASES, this.namespace, body), epoch);
    } catch (err) {
      if (isApiError(err, 'Conflict')) return false;
      throw err;
    }
  }

  private won(lease: KubeObject, epoch: number): boolean {
    this.record(lease);
    // A renewal that completes after this candidate stepped down does not make it leader again.
    if (epoch !== this.epoch) return false;
    this.held = { namespace: this.namespace, name: this.opts.name, holder: this.opts.identity, resourceVersion: lease.metadata.resourceVersion ?? '' };
    return true;
  }

  /** Notes a Lease state; a state not seen before restarts this candidate's expiry clock. */
  private record(lease: KubeObject): void {
    const rv = lease.metadata.resourceVersion ?? '';
    if (this.observed && Number(rv) <= Number(this.observed.rv)) return;
    this.observed = { rv, spec: { ...((lease.spec ?? {}) as LeaseSpec) }, at: this.clock.now() };
    if (this.held && this.observed.spec.holderIdentity !== this.opts.identity) this.held = undefined;
  }

  /** Gives the Lease up (client-go's release): holder cleared, duration 1 s, transitions kept. */
  private async release(held: HeldLease): Promise<void> {
    const now = microTime(this.clock.now());
    const spec: LeaseSpec = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observed?.spec.leaseTransitions ?? 0 };
    try {
      const body: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: held.name, namespace: held.namespace, resourceVersion: held.resourceVersion }, spec };
      const out = await this.opts.client.update(LEASES, held.namespace, body);
      this.record(out);
      this.opts.log?.('released lease', { lease: held.name });
    } catch (err) {
      this.opts.log?.('could not release lease', { lease: held.name, err: String(err) });
    }
  }
}

/** The attempt's result, or false when it is still running after ms. */
function raceDeadline(clock: Clock, ms: number, attempt: Promise<boolean>): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.setTimeout(() => resolve(false), Math.max(0, ms));
    void attempt.then((ok) => {
      cancel();
      resolve(ok);
    });
  });
}
