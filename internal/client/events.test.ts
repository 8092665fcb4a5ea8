import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import type { Client } from './client.js';
import { createEventRecorder, EVENT_WRITES_IN_FLIGHT, MAX_QUEUED_EVENTS, SERIES_WINDOW_MS } from './events.js';

interface Call {
  verb: 'create' | 'patch';
  name: string;
  body: Record<string, any>;
  done: () => void;
}

/** A client whose event writes wait until the test lets them finish. */
function fakeClient() {
  const calls: Call[] = [];
  const inFlight = () => calls.filter((c) => !(c as { finished?: boolean }).finished).length;
  const pending = (verb: Call['verb'], name: string, body: Record<string, any>) =>
    new Promise<KubeObject>((resolve) => {
      const call: Call & { finished?: boolean } = { verb, name, body, done: () => ((call.finished = true), resolve(body as KubeObject)) };
      calls.push(call);
    });
  const client = {
    create: (_ref: unknown, _ns: string, obj: KubeObject) => pending('create', obj.metadata.name!, obj),
    patch: (_ref: unknown, _ns: string, name: string, _type: string, body: Record<string, any>) => pending('patch', name, body),
  } as unknown as Client;
  return { client, calls, inFlight };
}

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `u-${name}` } });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('event recorder', () => {
  it('writes different events concurrently, up to its in-flight bound', async () => {
    const { client, calls, inFlight } = fakeClient();
    const rec = createEventRecorder(client, { reportingController: 'test', reportingInstance: 'i' });
    for (let i = 0; i < EVENT_WRITES_IN_FLIGHT + 10; i++) rec.event(pod(`p${i}`), 'Normal', 'Scheduled', 'Binding', `assigned p${i}`);
    await tick();
    expect(inFlight()).toBe(EVENT_WRITES_IN_FLIGHT);
    expect(calls.every((c) => c.verb === 'create' && c.body.reason === 'Scheduled' && c.body.regarding.name === c.name.split('.')[0])).toBe(true);
    calls[0]!.done();
    await tick();
    expect(calls.length).toBe(EVENT_WRITES_IN_FLIGHT + 1);
    while (calls.some((c) => !(c as { finished?: boolean }).finished)) {
      for (const c of calls) c.done();
      await tick();
    }
    await rec.flush();
    expect(calls.length).toBe(EVENT_WRITES_IN_FLIGHT + 10);
  });

  it('writes repeats of one event in order as a series on the first Event', async () => {
    const { client, calls } = fakeClient();
    let now = 1_000_000;
    const rec = createEventRecorder(client, { reportingController: 'test', reportingInstance: 'i', clock: { now: () => now } as never });
    const p = pod('a');
    rec.event(p, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
    rec.event(p, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
    now += 1000;
    rec.event(p, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
    await tick();
    expect(calls.length).toBe(1); // the repeats wait for the create
    calls[0]!.done();
    await tick();
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch']);
    expect(calls[1]!.name).toBe(calls[0]!.name);
    expect(calls[1]!.body.series.count).toBe(2);
    calls[1]!.done();
    await tick();
    expect(calls[2]!.body.series.count).toBe(3);
    calls[2]!.done();
    await rec.flush();
    // After the series window a repeat starts a new Event.
    now += SERIES_WINDOW_MS + 1;
    rec.event(p, 'Warning', 'FailedScheduling', 'Scheduling', 'no fit');
    await tick();
    expect(calls[3]!.verb).toBe('create');
    expect(calls[3]!.name).not.toBe(calls[0]!.name);
    calls[3]!.done();
    await rec.flush();
  });

  it('drops events past its queue bound and says so', async () => {
    const { client, calls } = fakeClient();
    const logged: string[] = [];
    const rec = createEventRecorder(client, { reportingController: 'test', reportingInstance: 'i', log: (m) => logged.push(m) });
    for (let i = 0; i < MAX_QUEUED_EVENTS + 5; i++) rec.event(pod(`p${i}`), 'Normal', 'Scheduled', 'Binding', `assigned p${i}`);
    expect(logged.length).toBe(1);
    expect(logged[0]).toContain('dropping');
    while (calls.some((c) => !(c as { finished?: boolean }).finished) || calls.length < MAX_QUEUED_EVENTS) {
      for (const c of calls) c.done();
      await tick();
    }
    await rec.flush();
    expect(calls.length).toBe(MAX_QUEUED_EVENTS);
  });

  it('with a spam filter records at most its burst of events about one object', async () => {
    const { client, calls } = fakeClient();
    const rec = createEventRecorder(client, { reportingController: 'test', reportingInstance: 'i', clock: { now: () => 0 } as never, spamFilter: { burst: 3, refillMs: 300_000, size: 10 } });
    const owner = pod('rs');
    for (let i = 0; i < 10; i++) rec.event(owner, 'Normal', 'SuccessfulCreate', 'Create', `Created pod: p${i}`);
    rec.event(pod('other'), 'Normal', 'SuccessfulCreate', 'Create', 'Created pod: q');
    await tick();
    for (const c of calls) c.done();
    await rec.flush();
    expect(calls.map((c) => c.body.note)).toEqual(['Created pod: p0', 'Created pod: p1', 'Created pod: p2', 'Created pod: q']);
  });
});
