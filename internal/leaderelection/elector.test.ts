import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { createClient, type Client } from '../client/index.js';
import { builtinDefinitions } from '../registry/index.js';
import { ADMIN, createTestRegistry, type TestRegistry } from '../registry/testing/index.js';
import { FakeClock } from '../util/index.js';
import { LEASES, LeaseElector, validateTimings } from './elector.js';

const T = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

let r: TestRegistry | undefined;
const stops: AbortController[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s.abort();
  await r?.close();
});

/** Lets pending registry promises settle (the memory backend answers on later ticks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

/** Advances the fake clock in steps, settling after each. */
async function advance(clock: FakeClock, ms: number, step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

function candidate(client: Client, clock: FakeClock, identity: string, log: string[]) {
  const e = new LeaseElector({ ...T, client, name: 'ctrl', identity, clock, rand: () => 0 });
  const stop = new AbortController();
  stops.push(stop);
  const done = e.run(stop.signal, async (leading) => {
    log.push(`${identity} leads`);
    await new Promise((res) => leading.addEventListener('abort', res));
    log.push(`${identity} stops`);
  });
  return { e, stop, done };
}

async function lease(client: Client): Promise<{ holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number }> {
  return ((await client.get(LEASES, 'kube-system', 'ctrl')) as KubeObject).spec as never;
}

async function setup() {
  r = createTestRegistry(builtinDefinitions().filter((d) => d.plural === 'leases' || d.plural === 'namespaces'));
  const client = createClient(r.handler, ADMIN);
  await client.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { metadata: { name: 'kube-system' } });
  return { client, clock: new FakeClock(1_000_000) };
}

describe('LeaseElector', () => {
  it('acquires a free Lease, renews it, and a standby never takes a renewed Lease', async () => {
    const { client, clock } = await setup();
    const log: string[] = [];
    const a = candidate(client, clock, 'a', log);
    await settle();
    const b = candidate(client, clock, 'b', log);
    await advance(clock, 60_000);
    expect(log).toEqual(['a leads']);
    expect(a.e.isLeader()).toBe(true);
    expect(b.e.isLeader()).toBe(false);
    expect(b.e.observedHolder()).toBe('a');
    expect(await lease(client)).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0, leaseDurationSeconds: 15 });
  });

  it('takeover: a holder that stops renewing is replaced after the lease duration as the standby saw it, transitions counted', async () => {
    const { client, clock } = await setup();
    const log: string[] = [];
    const a = candidate(client, clock, 'a', log);
    await settle();
    const b = candidate(client, clock, 'b', log);
    await advance(clock, 5_000);
    // a crashes: it neither renews nor releases.
    const aClient = a.e as unknown as { tryAcquireOrRenew: () => Promise<boolean> };
    aClient.tryAcquireOrRenew = () => new Promise(() => undefined);
    const crashedAt = clock.now();
    while (!b.e.isLeader() && clock.now() - crashedAt < 60_000) await advance(clock, 250);
    // Without an informer feeding observe(), b saw a's last renewal up to one retry period late.
    expect(clock.now() - crashedAt).toBeGreaterThanOrEqual(T.leaseDurationMs - T.retryPeriodMs);
    expect(clock.now() - crashedAt).toBeLessThanOrEqual(T.leaseDurationMs + 2 * T.retryPeriodMs);
    expect(await lease(client)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a missed its renew deadline long ago and stepped down.
    expect(a.e.isLeader()).toBe(false);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
  });

  it('steps down when a renewal round misses the renew deadline, and leads again once renewals work', async () => {
    const { client, clock } = await setup();
    const log: string[] = [];
    const a = candidate(client, clock, 'a', log);
    await settle();
    const inner = a.e as unknown as { tryAcquireOrRenew: () => Promise<boolean> };
    const real = inner.tryAcquireOrRenew.bind(a.e);
    inner.tryAcquireOrRenew = async () => false;
    await advance(clock, 2_000 + 9_750);
    expect(log).toEqual(['a leads']);
    await advance(clock, 500);
    expect(log).toEqual(['a leads', 'a stops']);
    inner.tryAcquireOrRenew = real;
    await advance(clock, 3_000);
    expect(log).toEqual(['a leads', 'a stops', 'a leads']);
    expect((await lease(client)).leaseTransitions).toBe(0);
  });

  it('releases on cancel (holder cleared) and an observing standby takes over at once', async () => {
    const { client, clock } = await setup();
    const log: string[] = [];
    const a = candidate(client, clock, 'a', log);
    await settle();
    const b = candidate(client, clock, 'b', log);
    await advance(clock, 3_000);
    a.stop.abort();
    await a.done;
    expect(await lease(client)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    b.e.observe((await client.get(LEASES, 'kube-system', 'ctrl')) as KubeObject);
    await settle();
    expect(b.e.isLeader()).toBe(true);
    expect(await lease(client)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a leader that observes another holder steps down without waiting for its deadline', async () => {
    const { client, clock } = await setup();
    const log: string[] = [];
    const a = candidate(client, clock, 'a', log);
    await settle();
    const cur = (await client.get(LEASES, 'kube-system', 'ctrl')) as KubeObject;
    const taken = await client.update(LEASES, 'kube-system', { ...cur, spec: { ...(cur.spec as object), holderIdentity: 'x' } });
    a.e.observe(taken);
    await settle();
    expect(log).toEqual(['a leads', 'a stops']);
    expect(a.e.fence()).toBeUndefined();
  });

  it('validates the timings as client-go does', () => {
    expect(validateTimings(T)).toBeUndefined();
    expect(validateTimings({ ...T, renewDeadlineMs: 15_000 })).toMatch(/renew deadline .* must be less than the lease duration/);
    expect(validateTimings({ ...T, retryPeriodMs: 10_000 })).toMatch(/retry period .* must be less than the renew deadline/);
    expect(validateTimings({ ...T, retryPeriodMs: 0 })).toMatch(/positive/);
  });
});
