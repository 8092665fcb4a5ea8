import { describe, expect, it } from 'vitest';
import { age, columnsFor, eventToTable, humanDuration, listToPartial, listToTable, objectToTable } from './table.js';
import { def, fakeDefinitions } from './testing/fakes.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (kubectl ages)', () => {
  it.each([
    [-5 * S, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [3 * M + 20 * S, '3m20s'],
    [5 * M, '5m'],
    [12 * M, '12m'],
    [179 * M, '179m'],
    [5 * H + 3 * M, '5h3m'],
    [7 * H, '7h'],
    [20 * H, '20h'],
    [3 * D + 4 * H, '3d4h'],
    [3 * D, '3d'],
    [30 * D, '30d'],
    [(2 * 365 + 100) * D, '2y100d'],
    [3 * 365 * D, '3y'],
    [9 * 365 * D, '9y'],
  ])('%d ms → %s', (ms, want) => expect(humanDuration(ms)).toBe(want));

  it('prints <unknown> without a timestamp', () => {
    expect(age(undefined, 0)).toBe('<unknown>');
    expect(age('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:10:00Z'))).toBe('10m');
  });
});

const now = Date.parse('2026-01-01T01:00:00Z');
const cm = (name: string) => ({ metadata: { name, namespace: 'd', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { a: 'b' } }, data: { x: 'y' } });

describe('Table conversion', () => {
  const configmaps = def({ kind: 'ConfigMap', plural: 'configmaps' });
  const deployments = fakeDefinitions().find((d) => d.plural === 'deployments')!;

  it('defaults to Name + Age, and prepends Name to definitions that omit it', () => {
    expect(columnsFor(configmaps).map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(columnsFor(deployments).map((c) => c.name)).toEqual(['Name', 'Ready', 'Images']);
  });

  it('turns a list into a Table with PartialObjectMetadata rows and list metadata', () => {
    const t = listToTable(configmaps, { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '9', continue: 'c1', remainingItemCount: 3 }, items: [cm('a'), cm('b')] }, {
      version: 'v1', includeObject: 'Metadata', now,
    });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '9', continue: 'c1', remainingItemCount: 3 });
    expect(t.columnDefinitions![0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(t.rows[0]).toEqual({ cells: ['a', '60m'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('a').metadata } });
  });

  it('honours includeObject=Object (sort-by) and None, and wide columns keep their priority', () => {
    const full = objectToTable(deployments, cm('x'), { version: 'v1beta1', includeObject: 'Object', now });
    expect(full.apiVersion).toBe('meta.k8s.io/v1beta1');
    expect(full.rows[0]!.object).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', data: { x: 'y' } });
    expect(full.columnDefinitions!.map((c) => c.priority)).toEqual([0, 0, 1]);
    expect(full.metadata).toEqual({ resourceVersion: '5' });
    const none = objectToTable(configmaps, cm('x'), { version: 'v1', includeObject: 'None', now });
    expect(none.rows[0]).toEqual({ cells: ['x', '60m'] });
  });

  it('sends column definitions with the first watch event only; bookmarks pass through', () => {
    const opts = { version: 'v1' as const, includeObject: 'Metadata' as const, now };
    const first = eventToTable(configmaps, { type: 'ADDED', object: cm('a') }, opts, true) as { object: { columnDefinitions: unknown; rows: unknown[] } };
    const later = eventToTable(configmaps, { type: 'MODIFIED', object: cm('a') }, opts, false) as { object: { columnDefinitions: unknown } };
    expect(first.object.columnDefinitions).not.toBeNull();
    expect(first.object.rows).toHaveLength(1);
    expect(later.object.columnDefinitions).toBeNull();
    const bm = { type: 'BOOKMARK' as const, object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '9' } } };
    expect(eventToTable(configmaps, bm, opts, true)).toBe(bm);
  });

  it('reduces lists to PartialObjectMetadataList', () => {
    const p = listToPartial({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '9' }, items: [cm('a')] }, 'v1');
    expect(p).toEqual({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '9' }, items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('a').metadata }] });
  });
});
