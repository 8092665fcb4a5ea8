import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import type { Pod } from '../workloads/pods.js';
import { pod } from '../workloads/testing.js';
import { type DaemonSet, HASH_LABEL, daemonPod, nodeOfPod, planDaemonSet, rollingLimits } from './decide.js';
import { shouldRunOn } from './placement.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, extra: { labels?: Record<string, string>; taints?: { key: string; effect: string; value?: string }[] } = {}): KubeObject => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
  spec: extra.taints ? { taints: extra.taints } : {},
});
const ds = (spec: Record<string, unknown> = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'uid-ds', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a' }], ...spec } } },
});
function member(d: DaemonSet, nodeName: string, opts: { hash?: string; ready?: boolean } = {}): Pod {
  const p = pod(`agent-${nodeName}`, { node: nodeName, ready: opts.ready === false ? false : '2025-12-31T00:00:00Z' });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'uid-ds', controller: true }];
  p.metadata.labels = { app: 'web', [HASH_LABEL]: opts.hash ?? 'h1' };
  return p;
}

describe('shouldRunOn', () => {
  it('skips a node with an untolerated NoSchedule taint, runs on cordoned and not-ready nodes', () => {
    expect(shouldRunOn({}, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }))).toBe(false);
    expect(shouldRunOn({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }, node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }))).toBe(true);
    expect(shouldRunOn({}, node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }))).toBe(true);
    expect(shouldRunOn({}, node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }))).toBe(true);
    expect(shouldRunOn({}, node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }))).toBe(true);
  });
  it('honours nodeSelector and required node affinity', () => {
    expect(shouldRunOn({ nodeSelector: { disk: 'ssd' } }, node('a'))).toBe(false);
    expect(shouldRunOn({ nodeSelector: { disk: 'ssd' } }, node('a', { labels: { disk: 'ssd' } }))).toBe(true);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } };
    expect(shouldRunOn({ affinity }, node('a', { labels: { zone: 'z2' } }))).toBe(false);
    expect(shouldRunOn({ affinity }, node('a', { labels: { zone: 'z1' } }))).toBe(true);
  });
});

describe('planDaemonSet', () => {
  it('one pod per eligible node, none on a tainted one', () => {
    const d = ds();
    const nodes = [node('n1'), node('n2'), node('n3', { taints: [{ key: 'k', effect: 'NoSchedule' }] })];
    const plan = planDaemonSet(d, 'h1', nodes, [member(d, 'n1')], T0, true);
    expect(plan.create).toEqual(['n2']);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1, numberUnavailable: 1, numberMisscheduled: 0 });
    const p = daemonPod(d, 'h1', 'n2');
    expect(nodeOfPod(p)).toBe('n2');
    expect((p.spec as { tolerations: unknown[] }).tolerations.length).toBe(6);
  });
  it('removes pods from nodes it no longer fits', () => {
    const d = ds();
    const plan = planDaemonSet(d, 'h1', [node('n1', { taints: [{ key: 'k', effect: 'NoExecute' }] })], [member(d, 'n1')], T0, true);
    expect(plan.delete.length).toBe(1);
    expect(plan.status.numberMisscheduled).toBe(1);
  });
  it('rolling update replaces at most maxUnavailable old pods', () => {
    const d = ds();
    const nodes = [node('n1'), node('n2'), node('n3')];
    const plan = planDaemonSet(d, 'h1', nodes, nodes.map((n) => member(d, n.metadata.name!, { hash: 'old' })), T0, true);
    expect(plan.delete.length).toBe(1);
    expect(plan.status.updatedNumberScheduled).toBe(0);
  });
});

describe('DaemonSet rolling update', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
  const withStrategy = (rollingUpdate: Record<string, unknown>): DaemonSet => ({ ...ds(), spec: { ...ds().spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate } } });
  let seq = 0;
  const make = (d: DaemonSet, n: string, hash: string, ready: boolean): Pod => {
    const p = member(d, n, { hash, ready });
    p.metadata.name = `agent-${seq++}`;
    p.metadata.uid = `uid-${p.metadata.name}`;
    p.metadata.creationTimestamp = new Date(T0 + seq * 1000).toISOString();
    return p;
  };
  const ready = (p: Pod): Pod => ({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' }] } });

  /** Drives the update from h1 to h2 to a fixed point; `check` sees the pods after each applied plan, before new pods get ready. */
  function drive(d: DaemonSet, check: (pods: Pod[]) => void): Pod[] {
    let pods = nodes.map((n) => make(d, n.metadata.name!, 'h1', true));
    for (let i = 0; i < 40; i++) {
      const plan = planDaemonSet(d, 'h2', nodes, pods, T0, true);
      if (!plan.create.length && !plan.delete.length) return pods;
      const gone = new Set(plan.delete.map((p) => p.metadata.uid));
      pods = [...pods.filter((p) => !gone.has(p.metadata.uid)), ...plan.create.map((n) => make(d, n, 'h2', false))];
      check(pods);
      pods = pods.map(ready);
    }
    throw new Error('no fixed point');
  }
  const readyNodes = (pods: Pod[]) => new Set(pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.spec?.nodeName)).size;

  it('maxSurge 1, maxUnavailable 0: never fewer than every node available, never more than one extra pod', () => {
    const d = withStrategy({ maxSurge: 1, maxUnavailable: 0 });
    let steps = 0;
    const end = drive(d, (pods) => {
      steps++;
      expect(readyNodes(pods)).toBe(4);
      expect(pods.length).toBeLessThanOrEqual(5);
    });
    expect(end.map((p) => [p.spec?.nodeName, p.metadata.labels?.[HASH_LABEL]]).sort()).toEqual([['n1', 'h2'], ['n2', 'h2'], ['n3', 'h2'], ['n4', 'h2']]);
    expect(steps).toBeGreaterThanOrEqual(4);
  });
  it('maxSurge 50% surges on two nodes at a time', () => {
    const d = withStrategy({ maxSurge: '50%', maxUnavailable: 0 });
    let most = 0;
    drive(d, (pods) => {
      expect(readyNodes(pods)).toBe(4);
      most = Math.max(most, pods.length);
    });
    expect(most).toBe(6);
  });
  it('maxUnavailable 2 without surge: at most two nodes without an available pod', () => {
    const d = withStrategy({ maxUnavailable: 2, maxSurge: 0 });
    let least = 4;
    const end = drive(d, (pods) => {
      expect(pods.length).toBeLessThanOrEqual(4);
      least = Math.min(least, readyNodes(pods));
    });
    expect(least).toBe(2);
    expect(end.every((p) => p.metadata.labels?.[HASH_LABEL] === 'h2')).toBe(true);
  });
  it('with surge, an old pod that is not available gets an updated pod beside it at once, beyond the surge budget', () => {
    const d = withStrategy({ maxSurge: 1, maxUnavailable: 0 });
    const pods = [make(d, 'n1', 'h1', false), make(d, 'n2', 'h1', false), make(d, 'n3', 'h1', true), make(d, 'n4', 'h1', true)];
    const plan = planDaemonSet(d, 'h2', nodes, pods, T0, true);
    expect(plan.create.sort()).toEqual(['n1', 'n2', 'n3']);
    expect(plan.delete).toEqual([]);
  });
  it('rollingLimits: percentages round up; both zero means maxUnavailable 1', () => {
    expect(rollingLimits(withStrategy({ maxSurge: '25%', maxUnavailable: 0 }), 5)).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(rollingLimits(withStrategy({ maxSurge: 0, maxUnavailable: 0 }), 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rollingLimits(withStrategy({ maxUnavailable: '10%' }), 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
  it('requeues when a ready pod becomes available after minReadySeconds', () => {
    const d: DaemonSet = { ...ds(), spec: { ...ds().spec, minReadySeconds: 30 } };
    const p = member(d, 'n1', { ready: true });
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(T0 - 10_000).toISOString() }] };
    const plan = planDaemonSet(d, 'h1', [node('n1')], [p], T0, true);
    expect([plan.status.numberReady, plan.status.numberAvailable, plan.requeueAfterMs]).toEqual([1, 0, 20_000]);
  });
});
