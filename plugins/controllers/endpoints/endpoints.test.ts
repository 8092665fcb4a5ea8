import { describe, expect, it } from 'vitest';
import { TriggerTimeTracker } from '../shared/trigger-time.js';
import { desiredEndpoints, desiredSubsets } from './desired.js';
import { hasSelector, selectedPods } from './service.js';
import { pod, service } from './testdata.js';

const ref = (name: string) => ({ kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` });
const addr = (name: string, ip: string) => ({ ip, nodeName: 'node-1', targetRef: ref(name) });
const HTTP = { name: 'http', port: 8080, protocol: 'TCP' };

describe('desiredSubsets', () => {
  const cases: { name: string; svc?: ReturnType<typeof service>; pods: ReturnType<typeof pod>[]; want: unknown[] }[] = [
    {
      name: 'ready and not-ready pods; pods without an IP or terminal are left out',
      pods: [pod('b', '10.0.0.2'), pod('a', '10.0.0.1'), pod('c', '10.0.0.3', { ready: false }), pod('d', undefined), pod('e', '10.0.0.5', { phase: 'Succeeded' })],
      want: [{ addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], notReadyAddresses: [addr('c', '10.0.0.3')], ports: [HTTP] }],
    },
    {
      name: 'terminating pods are left out unless not-ready addresses are published',
      pods: [pod('a', '10.0.0.1', { deleting: true })],
      want: [],
    },
    {
      name: 'publishNotReadyAddresses: not-ready and terminating pods are ready addresses',
      svc: service({ spec: { publishNotReadyAddresses: true } }),
      pods: [pod('a', '10.0.0.1', { deleting: true }), pod('b', '10.0.0.2', { ready: false })],
      want: [{ addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], ports: [HTTP] }],
    },
    {
      name: 'named target ports resolve per pod: pods offering different ports get different subsets',
      pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { port: 9090 })],
      want: [
        { addresses: [addr('a', '10.0.0.1')], ports: [HTTP] },
        { addresses: [addr('b', '10.0.0.2')], ports: [{ ...HTTP, port: 9090 }] },
      ],
    },
    {
      name: 'a pod without the named port is left out of that port; numeric ports apply to all',
      svc: service({ spec: { ports: [{ name: 'http', port: 80, targetPort: 'nope' }, { name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' }] } }),
      pods: [pod('a', '10.0.0.1')],
      want: [{ addresses: [addr('a', '10.0.0.1')], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] }],
    },
    {
      name: 'headless without ports: addresses with no ports; with a ClusterIP and no ports: nothing',
      svc: service({ spec: { clusterIP: 'None', ports: [] } }),
      pods: [pod('a', '10.0.0.1')],
      want: [{ addresses: [addr('a', '10.0.0.1')] }],
    },
    {
      name: 'an IPv4 Service ignores IPv6-only pods',
      pods: [pod('a', 'fd00::1')],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(desiredSubsets(c.svc ?? service(), c.pods).subsets).toEqual(c.want);
    });
  }

  it('a ClusterIP Service without ports publishes nothing', () => {
    expect(desiredSubsets(service({ spec: { ports: [] } }), [pod('a', '10.0.0.1')]).subsets).toEqual([]);
  });

  it('over 1000 addresses: truncated and marked', () => {
    const pods = Array.from({ length: 1002 }, (_, i) => pod(`p${i}`, `10.1.${i >> 8}.${i & 255}`));
    const { subsets, truncated } = desiredSubsets(service(), pods);
    expect(truncated).toBe(true);
    expect(subsets.flatMap((s) => s.addresses ?? []).length).toBe(1000);
    const ep = desiredEndpoints(service(), pods, undefined, undefined)!;
    expect(ep.metadata.annotations).toEqual({ 'endpoints.kubernetes.io/over-capacity': 'truncated' });
  });
});

describe('desiredEndpoints', () => {
  it('new Endpoints carry the Service labels, the headless marker and the trigger time', () => {
    const svc = service({ spec: { clusterIP: 'None' }, labels: { tier: 'front' } });
    const ep = desiredEndpoints(svc, [pod('a', '10.0.0.1')], undefined, '2026-01-01T00:00:00Z')!;
    expect(ep.metadata).toEqual({
      name: 'web',
      namespace: 'ns',
      labels: { tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller', 'service.kubernetes.io/headless': '' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z' },
    });
    expect(ep.subsets).toEqual([{ addresses: [addr('a', '10.0.0.1')], ports: [HTTP] }]);
  });

  it('no write when subsets and labels already match, even with a new trigger time; a change keeps other metadata', () => {
    const first = desiredEndpoints(service(), [pod('a', '10.0.0.1')], undefined, 't0')!;
    const current = { ...first, metadata: { ...first.metadata, uid: 'ep-uid', resourceVersion: '5' } };
    expect(desiredEndpoints(service(), [pod('a', '10.0.0.1')], current, 't1')).toBeUndefined();
    const next = desiredEndpoints(service(), [pod('a', '10.0.0.1', { ready: false })], current, undefined)!;
    expect(next.metadata).toMatchObject({ uid: 'ep-uid', resourceVersion: '5' });
    expect(next.metadata.annotations).toBeUndefined();
    expect(next.subsets).toEqual([{ notReadyAddresses: [addr('a', '10.0.0.1')], ports: [HTTP] }]);
  });

  it('selector helpers', () => {
    expect(hasSelector(service())).toBe(true);
    expect(hasSelector(service({ spec: { selector: undefined } }))).toBe(false);
    expect(hasSelector(service({ spec: { type: 'ExternalName' } }))).toBe(false);
    const other = { ...pod('x', '10.0.0.9'), metadata: { ...pod('x', '10.0.0.9').metadata, namespace: 'other' } };
    expect(selectedPods(service(), [pod('a', '1.1.1.1'), pod('b', '1.1.1.2', { labels: { app: 'db' } }), other]).map((p) => p.metadata.name)).toEqual(['a']);
  });
});

describe('TriggerTimeTracker', () => {
  it('creation time first; then the earliest changed Ready transition; nothing when nothing changed', () => {
    const t = new TriggerTimeTracker();
    const svc = service();
    expect(t.compute(svc, [pod('a', '1.1.1.1', { readySince: '2026-01-01T00:00:10Z' })])).toBe('2026-01-01T00:00:00Z');
    expect(t.compute(svc, [pod('a', '1.1.1.1', { readySince: '2026-01-01T00:00:10Z' })])).toBeUndefined();
    const pods = [pod('a', '1.1.1.1', { readySince: '2026-01-01T00:00:30Z' }), pod('b', '1.1.1.2', { readySince: '2026-01-01T00:00:20Z' })];
    expect(t.compute(svc, pods)).toBe('2026-01-01T00:00:20Z');
    const recreated = { ...svc, metadata: { ...svc.metadata, creationTimestamp: '2026-01-01T00:05:00Z' } };
    expect(t.compute(recreated, pods)).toBe('2026-01-01T00:05:00Z');
    t.forget('ns', 'web');
    expect(t.compute(recreated, pods)).toBe('2026-01-01T00:05:00Z');
  });
});
