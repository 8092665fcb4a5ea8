import { describe, expect, it } from 'vitest';
import type { KubeList, KubeObject, WatchEvent } from '../api/index.js';
import { ADMIN, fixtures } from '../registry/testing/index.js';
import { FakeClock } from '../util/index.js';
import { registryPerTest } from './testing/test-registry.js';
import { createClient, type Client } from './client.js';
import { byOwnerUid, OWNER_UID_INDEX } from './indexer.js';
import { SharedInformer } from './informer.js';

const CM = { group: '', version: 'v1', resource: 'configmaps' };
const cm = (name: string, rv: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, ...extra } });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

const perTest = registryPerTest();

describe('SharedInformer over the registry', () => {
  it('delivers adds, updates with the old object and deletes to every handler in registration order', async () => {
    const r = perTest.open([fixtures.configMaps]);
    const c = createClient(r.handler, ADMIN);
    await c.create(CM, 'ns', { metadata: { name: 'pre' } });
    const inf = new SharedInformer(c, CM);
    const log: string[] = [];
    for (const who of ['h1', 'h2']) {
      inf.addEventHandler({
        onAdd: (o) => log.push(`${who} add ${o.metadata.name}`),
        onUpdate: (o, n) => log.push(`${who} update ${o.data ? JSON.stringify(o.data) : '-'}→${JSON.stringify(n.data)}`),
        onDelete: (o, unknown) => log.push(`${who} delete ${o.metadata.name} ${unknown}`),
      });
    }
    void inf.run(perTest.signal);
    expect(await inf.waitForSync()).toBe(true);
    await c.create(CM, 'ns', { metadata: { name: 'a' } });
    await c.patch(CM, 'ns', 'a', 'merge', { data: { x: '1' } });
    await c.delete(CM, 'ns', 'a');
    await until(() => log.length === 8);
    expect(log).toEqual(['h1 add pre', 'h2 add pre', 'h1 add a', 'h2 add a', 'h1 update -→{"x":"1"}', 'h2 update -→{"x":"1"}', 'h1 delete a false', 'h2 delete a false']);
    expect(inf.lister.list('ns').map((o) => o.metadata.name)).toEqual(['pre']);
  });

  it('indexes by namespace, owner uid and label; a late handler first gets the cached objects as adds', async () => {
    const r = perTest.open([fixtures.configMaps]);
    const c = createClient(r.handler, ADMIN);
    await c.create(CM, 'ns', { metadata: { name: 'a', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u1' }] } });
    await c.create(CM, 'other', { metadata: { name: 'b', labels: { app: 'y' } } });
    const inf = new SharedInformer(c, CM);
    void inf.run(perTest.signal);
    await inf.waitForSync();
    inf.addIndexer(OWNER_UID_INDEX, byOwnerUid);
    expect(inf.lister.byIndex(OWNER_UID_INDEX, 'u1').map((o) => o.metadata.name)).toEqual(['a']);
    expect(inf.lister.list('other').map((o) => o.metadata.name)).toEqual(['b']);
    expect(inf.lister.list(undefined, 'app=x').map((o) => o.metadata.name)).toEqual(['a']);
    expect(inf.lister.get('ns', 'a')?.metadata.name).toBe('a');
    const late: string[] = [];
    inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
    expect(late.sort()).toEqual(['a', 'b']);
  });

  it('resyncs: every cached object again as an update (old === new) each period, until the handler is removed', async () => {
    const r = perTest.open([fixtures.configMaps]);
    const c = createClient(r.handler, ADMIN);
    await c.create(CM, 'ns', { metadata: { name: 'a' } });
    const clock = new FakeClock();
    const inf = new SharedInformer(c, CM, { clock });
    void inf.run(perTest.signal);
    await inf.waitForSync();
    let same = 0;
    const remove = inf.addEventHandler({ onUpdate: (o, n) => (same += o === n ? 1 : 0) }, { resyncMs: 1000 });
    clock.advance(999);
    expect(same).toBe(0);
    clock.advance(1);
    clock.advance(1000);
    expect(same).toBe(2);
    remove();
    clock.advance(5000);
    expect(same).toBe(2);
  });
});

/** A client whose list and watch answers are scripted; only list and watch are used by informers. */
function scriptedClient(lists: KubeList[], watches: WatchEvent[][]): Client & { lists: number } {
  const self = {
    lists: 0,
    async list() {
      return lists[self.lists++]!;
    },
    async watch(_ref: unknown, _ns: unknown, _opts: unknown, signal: AbortSignal) {
      const evs = watches.shift();
      return (async function* () {
        if (evs) yield* evs;
        else await new Promise((res) => signal.addEventListener('abort', res));
      })();
    },
  };
  return self as unknown as Client & { lists: number };
}

describe('SharedInformer relist', () => {
  it('relists after a 410 ERROR and reports objects missing from the new list as deletes (final state unknown)', async () => {
    const list = (rv: string, items: KubeObject[]): KubeList => ({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv }, items });
    const expired = { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', metadata: {} } } as unknown as WatchEvent;
    const client = scriptedClient(
      [list('5', [cm('a', '2'), cm('b', '3')]), list('9', [cm('a', '8'), cm('c', '9')])],
      [[{ type: 'MODIFIED', object: cm('a', '6') }, expired]],
    );
    const inf = new SharedInformer(client, CM, { retryMs: 1 });
    const log: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => log.push(`add ${o.metadata.name}`),
      onUpdate: (o, n) => log.push(`update ${n.metadata.name} ${o.metadata.resourceVersion}→${n.metadata.resourceVersion}`),
      onDelete: (o, unknown) => log.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion} ${unknown}`),
    });
    void inf.run(perTest.signal);
    await until(() => client.lists === 2 && log.length === 6);
    expect(log).toEqual(['add a', 'add b', 'update a 2→6', 'update a 6→8', 'add c', 'delete b@3 true']);
    expect(inf.lastSyncResourceVersion()).toBe('9');
  });

  it('resumes a watch that ended from the last resourceVersion (bookmarks count) without relisting', async () => {
    const seen: (string | undefined)[] = [];
    const client = scriptedClient([{ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '5' }, items: [] }], [[{ type: 'BOOKMARK', object: cm('', '12') }]]);
    const watch = client.watch.bind(client);
    client.watch = (ref, ns, opts, signal) => {
      seen.push(opts.resourceVersion);
      return watch(ref, ns, opts, signal);
    };
    const inf = new SharedInformer(client, CM, { retryMs: 1 });
    void inf.run(perTest.signal);
    await until(() => seen.length === 2);
    expect(seen).toEqual(['5', '12']);
    expect(client.lists).toBe(1);
  });
});
