import { describe, expect, it } from 'vitest';
import { seededRand } from '../../internal/util/index.js';
import { filterWithNominated, fitErrorMessage, numFeasibleNodesToFind, preFilter, schedulePod, scoreNodes } from './schedule.js';
import { snapshotOf } from './snapshot.js';
import { makeNode, makePod, nodeInfos, pod } from './testing/fixtures.js';

const rand = seededRand(1);

describe('schedulePod', () => {
  it('reports upstream FailedScheduling text with sorted reason counts', () => {
    const nodes = nodeInfos([
      makeNode('a', { cpu: '1' }),
      makeNode('b', { cpu: '1' }),
      makeNode('c', { spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } }),
    ]);
    const r = schedulePod(pod('p', { cpu: '2' }), snapshotOf(nodes), { start: 0, rand });
    expect('diagnosis' in r).toBe(true);
    if (!('diagnosis' in r)) return;
    expect(fitErrorMessage(r.diagnosis)).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.');
    expect([...r.diagnosis.unresolvable]).toEqual(['c']);
    expect(fitErrorMessage(r.diagnosis, 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.')).toMatch(/cpu\. preemption: 0\/3 .*pod\.\.$/);
  });

  it('prefers the least allocated node', () => {
    const nodes = nodeInfos([makeNode('busy'), makeNode('idle')], { busy: [makePod('x', { cpu: '3', memory: '6Gi' })] });
    const r = schedulePod(pod('p', { cpu: '100m' }), snapshotOf(nodes), { start: 0, rand });
    expect(r).toMatchObject({ nodeName: 'idle', feasible: 2 });
  });

  it('prefers nodes without untolerated PreferNoSchedule taints and with preferred affinity', () => {
    const nodes = nodeInfos([makeNode('tainted', { spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } }), makeNode('plain'), makeNode('ssd', { labels: { disk: 'ssd' } })]);
    const snap = snapshotOf(nodes);
    const p = pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
    const totals = scoreNodes(p, nodes, snap);
    expect(totals[2]).toBeGreaterThan(totals[1]!);
    expect(totals[1]).toBeGreaterThan(totals[0]!);
  });

  it('spreads pods of one controller over nodes by default', () => {
    const nodes = nodeInfos([makeNode('a'), makeNode('b')], { a: [makePod('x', { owner: 'rs' }), makePod('y', { owner: 'rs' })], b: [makePod('z'), makePod('w')] });
    const totals = scoreNodes(pod('p', { owner: 'rs' }), nodes, snapshotOf(nodes));
    expect(totals[1]).toBeGreaterThan(totals[0]!);
  });

  it('follows preferred pod affinity and anti-affinity', () => {
    const nodes = nodeInfos([makeNode('a'), makeNode('b')], { a: [makePod('cache', { labels: { app: 'cache' } })] });
    const term = { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' };
    const near = pod('p', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } } } });
    const far = pod('q', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } } } });
    const snap = snapshotOf(nodes);
    expect(schedulePod(near, snap, { start: 0, rand })).toMatchObject({ nodeName: 'a' });
    expect(schedulePod(far, snap, { start: 0, rand })).toMatchObject({ nodeName: 'b' });
  });

  it('stops at the number of feasible nodes to find and rotates the start', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(200, 10)).toBe(100);
    const nodes = nodeInfos(Array.from({ length: 200 }, (_, i) => makeNode(`n${i}`)));
    const r = schedulePod(pod('p'), snapshotOf(nodes), { start: 150, rand, percentageOfNodesToScore: 10 });
    expect(r).toMatchObject({ evaluated: 100, nextStart: 50 });
  });
});

describe('filterWithNominated', () => {
  const nominee = pod('nominee', { cpu: '2', spec: { priority: 10 } });
  const cases: [what: string, cpu: string, priority: number, name: string, want: string[] | undefined][] = [
    ['a lower-priority pod sees the reservation', '1', 5, 'p', ['Insufficient cpu']],
    ['an equal-priority pod sees it too', '1', 10, 'p', ['Insufficient cpu']],
    ['a higher-priority pod does not', '1', 20, 'p', undefined],
    ['the nominated pod itself fits', '2', 10, 'nominee', undefined],
    ['a pod that does not fit anyway fails as usual', '3', 20, 'p', ['Insufficient cpu']],
  ];
  for (const [what, cpu, priority, name, want] of cases) {
    it(what, () => {
      const nodes = nodeInfos([makeNode('a', { cpu: '2' })]);
      const snap = snapshotOf(nodes, {}, { a: [nominee] });
      const p = pod(name, { cpu, spec: { priority } });
      expect(filterWithNominated(p, nodes[0]!, snap, preFilter(p, snap))).toEqual(want);
      // The node itself is left as it was: the nominee counted on a copy.
      expect(nodes[0]!.requested.milliCPU).toBe(0);
    });
  }
});

