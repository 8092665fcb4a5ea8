import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject, type WatchEvent } from '../../api/index.js';
import { podBindingHandler, podEvictionHandler } from '../subresources.js';
import { configMaps, namespaces, pods } from '../testing/fixtures.js';
import { ADMIN, createTestRegistry, take, type TestRegistry, failure } from '../testing/test-registry.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'ns' } as const;
const NS = { group: '', version: 'v1', resource: 'namespaces' } as const;

let r: TestRegistry;
afterEach(async () => r?.close());

const makeCm = (name: string, extra: Partial<KubeObject['metadata']> = {}) =>
  r.obj({ ...CM, verb: 'create', body: { metadata: { name, ...extra }, data: { a: '1' } }, params: {} });

describe('delete', () => {
  it('answers an immediate delete with Status Success (or the object when the kind says so)', async () => {
    r = createTestRegistry([configMaps, pods]);
    const c = await makeCm('c1');
    const res = await r.call({ ...CM, verb: 'delete', name: 'c1', params: {} });
    expect(res).toEqual({
      code: 200,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'c1', kind: 'configmaps', uid: c.metadata.uid } },
    });
    expect((await failure(r.call({ ...CM, verb: 'get', name: 'c1', params: {} }))).code).toBe(404);
    await r.call({ ...PODS, verb: 'create', body: { metadata: { name: 'p' }, spec: {} }, params: {} });
    const pod = await r.obj({ ...PODS, verb: 'delete', name: 'p', params: {} });
    expect(pod.kind).toBe('Pod');
    expect((await failure(r.call({ ...PODS, verb: 'delete', name: 'p', params: {} }))).message).toBe('pods "p" not found');
  });

  it('checks uid and resourceVersion preconditions with upstream messages', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm('c1');
    const err = await failure(r.call({ ...CM, verb: 'delete', name: 'c1', params: { preconditions: { uid: 'x' } } }));
    expect(err.code).toBe(409);
    expect(err.message).toBe(`Operation cannot be fulfilled on configmaps "c1": Precondition failed: UID in precondition: x, UID in object meta: ${c.metadata.uid}`);
    const err2 = await failure(r.call({ ...CM, verb: 'delete', name: 'c1', params: { preconditions: { resourceVersion: '999' } } }));
    expect(err2.message).toBe(
      `Operation cannot be fulfilled on configmaps "c1": Precondition failed: ResourceVersion in precondition: 999, ResourceVersion in object meta: ${c.metadata.resourceVersion}`,
    );
    await r.call({ ...CM, verb: 'delete', name: 'c1', params: { preconditions: { uid: c.metadata.uid, resourceVersion: c.metadata.resourceVersion } } });
  });

  it('keeps an object with finalizers until an update removes the last one', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm('c1', { finalizers: ['example.com/hold', 'example.com/second'] });
    r.clock.advance(2000);
    const pending = await r.call({ ...CM, verb: 'delete', name: 'c1', params: {} });
    const obj = pending.body as KubeObject;
    expect(pending.code).toBe(200);
    expect(obj.metadata.deletionTimestamp).toBe('2026-01-01T00:00:02Z');
    expect(obj.metadata.deletionGracePeriodSeconds).toBe(0);
    // Deleting again changes nothing.
    const again = await r.obj({ ...CM, verb: 'delete', name: 'c1', params: {} });
    expect(again.metadata.resourceVersion).toBe(obj.metadata.resourceVersion);
    const added = await failure(r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { metadata: { finalizers: ['example.com/hold', 'example.com/second', 'example.com/new'] } }, params: {} }));
    expect(added.code).toBe(422);
    expect(added.message).toContain('no new finalizers can be added if the object is being deleted');
    const one = await r.obj({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { metadata: { finalizers: ['example.com/hold'] } }, params: {} });
    expect(one.metadata.finalizers).toEqual(['example.com/hold']);
    const last = await r.obj({ ...CM, verb: 'patch', name: 'c1', patchType: 'json', patch: [{ op: 'remove', path: '/metadata/finalizers' }], params: {} });
    expect(last.metadata.finalizers).toBeUndefined();
    expect((await failure(r.call({ ...CM, verb: 'get', name: 'c1', params: {} }))).code).toBe(404);
  });

  it('adds the foregroundDeletion or orphan finalizer for the propagation policy', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm('f');
    const fg = await r.obj({ ...CM, verb: 'delete', name: 'f', params: { propagationPolicy: 'Foreground' } });
    expect(fg.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(fg.metadata.deletionTimestamp).toBeDefined();
    await makeCm('o');
    const orphan = await r.obj({ ...CM, verb: 'delete', name: 'o', params: { propagationPolicy: 'Orphan' } });
    expect(orphan.metadata.finalizers).toEqual(['orphan']);
    const bad = await failure(r.call({ ...CM, verb: 'delete', name: 'o', params: { propagationPolicy: 'Sideways' as 'Orphan' } }));
    expect(bad.code).toBe(422);
  });

  it('deletes bound pods gracefully and unbound ones at once', async () => {
    r = createTestRegistry([pods]);
    await r.call({ ...PODS, verb: 'create', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1' } }, params: {} });
    const pending = await r.obj({ ...PODS, verb: 'delete', name: 'p', params: {} });
    expect(pending.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(pending.metadata.deletionTimestamp).toBe('2026-01-01T00:00:30Z');
    const shorter = await r.obj({ ...PODS, verb: 'delete', name: 'p', params: { gracePeriodSeconds: 5 } });
    expect(shorter.metadata.deletionGracePeriodSeconds).toBe(5);
    // The kubelet's final delete (grace 0) removes it.
    const gone = await r.call({ ...PODS, verb: 'delete', name: 'p', params: { gracePeriodSeconds: 0 } });
    expect((gone.body as KubeObject).kind).toBe('Pod');
    expect((await failure(r.call({ ...PODS, verb: 'get', name: 'p', params: {} }))).code).toBe(404);
  });

  it('keeps a namespace Terminating until its spec.finalizers are finalized', async () => {
    r = createTestRegistry([namespaces]);
    const ns = await r.obj({ ...NS, verb: 'create', body: { metadata: { name: 'team' } }, params: {} });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.generation).toBeUndefined();
    await r.call({ ...NS, verb: 'delete', name: 'team', params: {} });
    const term = await r.obj({ ...NS, verb: 'get', name: 'team', params: {} });
    expect(term.status).toEqual({ phase: 'Terminating' });
    // Status updates while terminating keep it; finalizing the last spec.finalizer removes it.
    const st = await r.obj({ ...NS, verb: 'patch', name: 'team', subresource: 'status', patchType: 'merge', patch: { status: { conditions: [] } }, params: {} });
    expect(st.metadata.deletionTimestamp).toBeDefined();
    await r.call({ ...NS, verb: 'update', name: 'team', subresource: 'finalize', body: { ...st, spec: { finalizers: [] } }, params: {} });
    expect((await failure(r.call({ ...NS, verb: 'get', name: 'team', params: {} }))).code).toBe(404);
  });

  it('deletecollection deletes what the selectors match', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm('a', { labels: { tier: 'x' } });
    await makeCm('b', { labels: { tier: 'y' } });
    await makeCm('c', { labels: { tier: 'x' } });
    const res = await r.obj({ ...CM, verb: 'deletecollection', params: { labelSelector: 'tier=x' } });
    expect((res.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['a', 'c']);
    const left = await r.obj({ ...CM, verb: 'list', params: {} });
    expect((left.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['b']);
  });
});

describe('list', () => {
  it('filters by label and field selectors and pages with continue tokens', async () => {
    r = createTestRegistry([configMaps]);
    for (const n of ['a', 'b', 'c', 'd']) await makeCm(n, { labels: { even: String(n === 'b' || n === 'd') } });
    await r.call({ ...CM, namespace: 'other', verb: 'create', body: { metadata: { name: 'z' } }, params: {} });
    const all = await r.obj({ group: '', version: 'v1', resource: 'configmaps', verb: 'list', params: {} });
    expect(all).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMapList' });
    expect((all.items as KubeObject[]).length).toBe(5);
    expect((all.items as KubeObject[])[0]!.kind).toBeUndefined();
    const even = await r.obj({ ...CM, verb: 'list', params: { labelSelector: 'even=true' } });
    expect((even.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['b', 'd']);
    const byName = await r.obj({ ...CM, verb: 'list', params: { fieldSelector: 'metadata.name=c' } });
    expect((byName.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['c']);
    const page1 = await r.obj({ ...CM, verb: 'list', params: { limit: 3 } });
    expect((page1.items as KubeObject[]).length).toBe(3);
    const cont = (page1.metadata as { continue?: string }).continue;
    expect(cont).toBeTruthy();
    const page2 = await r.obj({ ...CM, verb: 'list', params: { limit: 3, continue: cont } });
    expect((page2.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['d']);
  });

  it('answers bad selectors with 400 and bad options with 422', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ ...CM, verb: 'list', params: { fieldSelector: 'data.a=1' } }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect((await failure(r.call({ ...CM, verb: 'list', params: { labelSelector: '=x' } }))).code).toBe(400);
    const err2 = await failure(r.call({ ...CM, verb: 'list', params: { resourceVersionMatch: 'Exact' } }));
    expect(err2.code).toBe(422);
    expect(err2.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    expect((await failure(r.call({ ...CM, verb: 'list', params: { continue: 'garbage!' } }))).code).toBe(400);
  });

  it('selects on strategy fields', async () => {
    r = createTestRegistry([pods]);
    await r.call({ ...PODS, verb: 'create', body: { metadata: { name: 'p1' }, spec: { nodeName: 'n1' } }, params: {} });
    await r.call({ ...PODS, verb: 'create', body: { metadata: { name: 'p2' }, spec: {} }, params: {} });
    const on = await r.obj({ ...PODS, verb: 'list', params: { fieldSelector: 'spec.nodeName=n1' } });
    expect((on.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['p1']);
    const unbound = await r.obj({ ...PODS, verb: 'list', params: { fieldSelector: 'spec.nodeName=' } });
    expect((unbound.items as KubeObject[]).map((o) => o.metadata.name)).toEqual(['p2']);
  });
});

describe('watch', () => {
  const watch = (params: Record<string, unknown>, signal: AbortSignal, extra: Record<string, unknown> = {}) =>
    r.handler.watch({ user: ADMIN, ...CM, verb: 'watch', params, signal, ...extra });

  it('streams ADDED, MODIFIED and DELETED with kind and apiVersion', async () => {
    r = createTestRegistry([configMaps]);
    const c = await makeCm('c1');
    const ac = new AbortController();
    const { events } = await watch({}, ac.signal);
    await r.call({ ...CM, verb: 'patch', name: 'c1', patchType: 'merge', patch: { data: { a: '2' } }, params: {} });
    await r.call({ ...CM, verb: 'delete', name: 'c1', params: {} });
    const got = await take(events, 3);
    ac.abort();
    expect(got.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(got[0]!.object).toEqual(c);
    expect(got[1]!.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { a: '2' } });
  });

  it('replays from a resourceVersion and filters by metadata.name', async () => {
    r = createTestRegistry([configMaps]);
    const a = await makeCm('a');
    await makeCm('b');
    const ac = new AbortController();
    const { events } = await watch({ resourceVersion: a.metadata.resourceVersion, fieldSelector: 'metadata.name=c' }, ac.signal);
    await makeCm('c');
    const got = await take(events, 1);
    ac.abort();
    expect(got.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED c']);
  });

  it('serves watch-list: initial ADDED events then the initial-events-end bookmark', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm('a');
    const ac = new AbortController();
    const { events } = await watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true }, ac.signal);
    const got = await take(events, 2);
    ac.abort();
    expect(got[0]!.type).toBe('ADDED');
    expect(got[1]!.type).toBe('BOOKMARK');
    expect(got[1]!.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
    const err = await failure(watch({ resourceVersionMatch: 'NotOlderThan' }, ac.signal));
    expect(err.code).toBe(422);
  });

  it('ends with an ERROR event carrying 410 Expired for a compacted resourceVersion', async () => {
    r = createTestRegistry([configMaps]);
    await makeCm('a');
    await makeCm('b');
    const b = await makeCm('c');
    await r.backend.compact(Number(b.metadata.resourceVersion));
    const ac = new AbortController();
    const { events } = await watch({ resourceVersion: '1' }, ac.signal);
    const got: WatchEvent[] = await take(events, 1);
    ac.abort();
    expect(got[0]!.type).toBe('ERROR');
    expect(got[0]!.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(String((got[0]!.object as { message?: string }).message)).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('ends cleanly after timeoutSeconds', async () => {
    r = createTestRegistry([configMaps]);
    const { events } = await watch({ timeoutSeconds: 5 }, new AbortController().signal);
    const done = take(events, 1);
    r.clock.advance(5000);
    expect(await done).toEqual([]);
  });
});

describe('pods/binding and pods/eviction', () => {
  const withSubs = {
    ...pods,
    subresources: [
      { name: 'binding', verbs: ['create'], handler: podBindingHandler },
      { name: 'eviction', verbs: ['create'], handler: podEvictionHandler },
    ],
  };

  it('binds an unbound pod once and evicts it with 201 Success', async () => {
    r = createTestRegistry([withSubs]);
    await r.call({ ...PODS, verb: 'create', body: { metadata: { name: 'p' }, spec: {} }, params: {} });
    const bound = await r.call({ ...PODS, verb: 'create', name: 'p', subresource: 'binding', body: { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } } as KubeObject, params: {} });
    expect(bound.code).toBe(201);
    expect(bound.body).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const pod = await r.obj({ ...PODS, verb: 'get', name: 'p', params: {} });
    expect(pod.spec).toEqual({ nodeName: 'n1' });
    const twice = await failure(r.call({ ...PODS, verb: 'create', name: 'p', subresource: 'binding', body: { metadata: { name: 'p' }, target: { name: 'n2' } } as KubeObject, params: {} }));
    expect(twice.code).toBe(409);
    const evicted = await r.call({ ...PODS, verb: 'create', name: 'p', subresource: 'eviction', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { gracePeriodSeconds: 0 } } as KubeObject, params: {} });
    expect(evicted).toEqual({ code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } });
    expect((await failure(r.call({ ...PODS, verb: 'get', name: 'p', params: {} }))).code).toBe(404);
  });
});
