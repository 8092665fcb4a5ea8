import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import type { Pod } from '../workloads/pods.js';
import { pod } from '../workloads/testing.js';
import { type DaemonSet, HASH_LABEL, daemonPod, nodeOfPod, planDaemonSet } from './decide.js';
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
