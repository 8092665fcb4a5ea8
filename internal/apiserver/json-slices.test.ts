import { describe, expect, it, vi } from 'vitest';
import { bigArrayOf, jsonSliceStream, jsonSlices, SLICE_ITEMS } from './json-slices.js';

const item = (i: number) => ({ metadata: { name: `cm-${i}`, labels: { 'a"b': 'x\u0000y' } }, data: { k: 'v'.repeat(i % 7) } });

describe('jsonSlices', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['items in the middle, undefined members omitted', { kind: 'ConfigMapList', apiVersion: 'v1', items: Array.from({ length: 1000 }, (_, i) => item(i)), metadata: { resourceVersion: '7', continue: undefined } }, 'items'],
    ['items first', { items: Array.from({ length: SLICE_ITEMS * 2 }, (_, i) => item(i)), kind: 'List' }, 'items'],
    ['items last, one more than a slice', { kind: 'List', items: Array.from({ length: SLICE_ITEMS + 1 }, (_, i) => item(i)) }, 'items'],
    ['empty array', { kind: 'List', items: [] }, 'items'],
    ['Table rows', { kind: 'Table', columnDefinitions: [{ name: 'Name' }], rows: Array.from({ length: 600 }, (_, i) => ({ cells: [`r${i}`] })) }, 'rows'],
    ['undefined inside the array becomes null', { items: [1, undefined, 3] }, 'items'],
  ];
  it.each(cases)('%s: the bytes of JSON.stringify', (_name, body, key) => {
    expect([...jsonSlices(body, key)].join('')).toBe(JSON.stringify(body));
  });

  it('entries given as UTF-8 bytes come out as the same JSON, a slice as one Buffer', () => {
    const body = { kind: 'List', items: Array.from({ length: SLICE_ITEMS + 3 }, (_, i) => ({ ...item(i), note: 'ü€' })) };
    const slices = [...jsonSlices(body, 'items', (x) => ((x as { metadata: { name: string } }).metadata.name.endsWith('1') ? Buffer.from(JSON.stringify(x)) : JSON.stringify(x)))];
    expect(Buffer.concat(slices.map((s) => (typeof s === 'string' ? Buffer.from(s) : s))).toString()).toBe(JSON.stringify(body));
    expect(slices.filter((s) => Buffer.isBuffer(s))).toHaveLength(2);
  });

  it('cuts a big list into slices of SLICE_ITEMS entries', () => {
    const body = { kind: 'List', items: Array.from({ length: SLICE_ITEMS * 4 }, (_, i) => item(i)) };
    expect([...jsonSlices(body, 'items')]).toHaveLength(5);
  });

  it('the stream yields the same bytes, and other work runs between its slices', async () => {
    const body = { kind: 'List', items: Array.from({ length: SLICE_ITEMS * 4 }, (_, i) => item(i)) };
    // Another task that wants the event loop at every turn: it runs between the slices.
    let ticks = 0;
    let running = true;
    const other = () => {
      ticks++;
      if (running) setImmediate(other);
    };
    setImmediate(other);
    const chunks: string[] = [];
    for await (const c of jsonSliceStream(body, 'items')) chunks.push(String(c));
    running = false;
    expect(chunks.join('')).toBe(JSON.stringify(body));
    expect(ticks).toBeGreaterThanOrEqual(4);
  });

  it('only lists and tables over SLICE_ITEMS entries are streamed', () => {
    expect(bigArrayOf({ items: Array(SLICE_ITEMS + 1).fill(1) })).toBe('items');
    expect(bigArrayOf({ rows: Array(SLICE_ITEMS + 1).fill(1) })).toBe('rows');
    expect(bigArrayOf({ items: Array(SLICE_ITEMS).fill(1) })).toBeUndefined();
    expect(bigArrayOf({ kind: 'ConfigMap' })).toBeUndefined();
    expect(bigArrayOf(null)).toBeUndefined();
  });
});

describe('big lists through the apiserver', () => {
  it('a list of 300 ConfigMaps, as JSON and as a Table, is the complete document', async () => {
    const { createRealServer, SYSTEM_USER } = await import('./testing/real.js');
    const rs = await createRealServer();
    try {
      for (let i = 0; i < 300; i++) {
        const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: `v${i}` } };
        await rs.handler.handle({ user: SYSTEM_USER, group: '', version: 'v1', resource: 'configmaps', namespace: 'default', verb: 'create', body, params: {} });
      }
      const list = await rs.app.inject({ url: '/api/v1/namespaces/default/configmaps' });
      expect(list.statusCode).toBe(200);
      expect(list.headers['content-type']).toBe('application/json');
      const doc = list.json() as { kind: string; metadata: { resourceVersion: string }; items: { metadata: { name: string }; data: { k: string } }[] };
      expect(doc.kind).toBe('ConfigMapList');
      expect(doc.metadata.resourceVersion).toBe(String(await rs.revision()));
      expect(doc.items.map((o) => o.data.k).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `v${i}`).sort());
      const table = await rs.app.inject({ url: '/api/v1/namespaces/default/configmaps', headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
      expect(table.statusCode).toBe(200);
      expect((table.json() as { kind: string; rows: unknown[] }).rows).toHaveLength(300);
    } finally {
      await rs.app.close();
    }
  });

  it('over the shared watch cache, a list reused the item texts of the last list and shows a write at once', async () => {
    const { createRealServer, SYSTEM_USER } = await import('./testing/real.js');
    const rs = await createRealServer({}, { watchCache: true });
    const call = (verb: 'create' | 'update', body: Record<string, unknown>) =>
      rs.handler.handle({ user: SYSTEM_USER, group: '', version: 'v1', resource: 'configmaps', namespace: 'default', verb, ...(verb === 'update' ? { name: 'cm-7' } : {}), body, params: {} } as never);
    try {
      for (let i = 0; i < 300; i++) await call('create', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: `v${i}` } });
      const url = '/api/v1/namespaces/default/configmaps';
      const first = await rs.app.inject({ url });
      const spy = vi.spyOn(JSON, 'stringify');
      const second = await rs.app.inject({ url });
      const calls = spy.mock.calls.length;
      spy.mockRestore();
      expect(second.body).toBe(first.body);
      expect(calls).toBeLessThan(30); // not one per item
      const doc = first.json() as { items: { metadata: { name: string; resourceVersion: string }; data: { k: string } }[] };
      expect(doc.items).toHaveLength(300);
      const seven = doc.items.find((o) => o.metadata.name === 'cm-7')!;
      await call('update', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-7', resourceVersion: seven.metadata.resourceVersion }, data: { k: 'changed' } });
      const after = (await rs.app.inject({ url })).json() as typeof doc;
      const seven2 = after.items.find((o) => o.metadata.name === 'cm-7')!;
      expect(seven2.data.k).toBe('changed');
      expect(seven2.metadata.resourceVersion).not.toBe(seven.metadata.resourceVersion);
      expect(after.items.filter((o) => o.metadata.name !== 'cm-7')).toEqual(doc.items.filter((o) => o.metadata.name !== 'cm-7'));
      expect(JSON.stringify(after.items[0])).not.toContain('"kind"');
    } finally {
      await rs.close();
    }
  });
});
