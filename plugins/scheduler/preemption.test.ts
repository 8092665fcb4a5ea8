import { describe, expect, it } from 'vitest';
import { labelQueryFromSet } from '../../internal/api/index.js';
import { seededRand } from '../../internal/util/index.js';
import { preempt } from './preemption.js';
import { schedulePod, type Diagnosis } from './schedule.js';
import { snapshotOf } from './snapshot.js';
import { makeNode, makePod, nodeInfos, pod } from './testing/fixtures.js';

function diagnose(p: ReturnType<typeof pod>, snap: ReturnType<typeof snapshotOf>): Diagnosis {
  const r = schedulePod(p, snap, { start: 0, rand: seededRand(1) });
  if (!('diagnosis' in r)) throw new Error('expected no fit');
  return r.diagnosis;
}

describe('preempt', () => {
  const low = (name: string, cpu: string, priority = 0, labels: Record<string, string> = {}) => makePod(name, { cpu, labels, spec: { priority } });

  it('evicts the fewest lowest-priority pods on the best node', () => {
    const nodes = nodeInfos([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], {
      a: [low('a1', '1', 10), low('a2', '1', 10)],
      b: [low('b1', '1', 1), low('b2', '1', 1)],
    });
    const snap = snapshotOf(nodes);
    const hi = pod('hi', { cpu: '1', spec: { priority: 100 } });
    const r = preempt(hi, snap, diagnose(hi, snap), []);
    expect(r).toMatchObject({ candidate: { nodeName: 'b', pdbViolations: 0 } });
    if ('candidate' in r) expect(r.candidate.victims.map((v) => v.name)).toHaveLength(1);
  });

  it('prefers victims not covered by an exhausted PDB', () => {
    const nodes = nodeInfos([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], {
      a: [low('a1', '2', 1, { app: 'db' })],
      b: [low('b1', '2', 1, { app: 'web' })],
    });
    const snap = snapshotOf(nodes);
    const hi = pod('hi', { cpu: '1', spec: { priority: 100 } });
    const r = preempt(hi, snap, diagnose(hi, snap), [{ namespace: 'default', selector: labelQueryFromSet({ app: 'db' }), disruptionsAllowed: 0 }]);
    expect(r).toMatchObject({ candidate: { nodeName: 'b', pdbViolations: 0, victims: [{ name: 'b1' }] } });
  });

  it('explains why preemption cannot help, in upstream words', () => {
    const nodes = nodeInfos([makeNode('a', { cpu: '1' }), makeNode('t', { spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } })], { a: [low('a1', '1', 500)] });
    const snap = snapshotOf(nodes);
    const hi = pod('hi', { cpu: '1', spec: { priority: 100 } });
    expect(preempt(hi, snap, diagnose(hi, snap), [])).toEqual({
      message: 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    });
    const never = pod('n', { cpu: '1', spec: { priority: 1000, preemptionPolicy: 'Never' } });
    expect(preempt(never, snap, diagnose(never, snap), [])).toEqual({ message: 'preemption: not eligible due to preemptionPolicy=Never' });
  });

  it('reports the filter reason when removing every lower pod is not enough', () => {
    const nodes = nodeInfos([makeNode('a', { cpu: '2' })], { a: [low('a1', '1', 0), low('a2', '1', 500)] });
    const snap = snapshotOf(nodes);
    const hi = pod('hi', { cpu: '2', spec: { priority: 100 } });
    expect(preempt(hi, snap, diagnose(hi, snap), [])).toEqual({ message: 'preemption: 0/1 nodes are available: 1 Insufficient cpu.' });
  });

  it('counts pods nominated to a node at or above the preemptor’s priority as already there', () => {
    // Node a is free (its victim was deleted); `first` (priority 100) is nominated there and takes it all.
    const nodes = nodeInfos([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], { b: [low('b1', '2', 1)] });
    const first = pod('first', { cpu: '2', spec: { priority: 100 } });
    const snap = snapshotOf(nodes, {}, { a: [first] });
    const second = pod('second', { cpu: '2', spec: { priority: 100 } });
    // a has no room for `second` once the nomination counts, so it preempts on b instead.
    const r = preempt(second, snap, diagnose(second, snap), []);
    expect(r).toMatchObject({ candidate: { nodeName: 'b', victims: [{ name: 'b1' }] } });
    // A higher-priority pod does not see the lower-priority nomination: a is free for it.
    const higher = pod('higher', { cpu: '2', spec: { priority: 1000 } });
    expect(schedulePod(higher, snap, { start: 0, rand: seededRand(1) })).toMatchObject({ nodeName: 'a' });
  });

  it('a preemptor whose victim on its nominated node is still terminating waits instead of preempting again', () => {
    const victim = low('v', '2', 1);
    victim.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const nodes = nodeInfos([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], { a: [victim], b: [low('b1', '2', 1)] });
    const hi = pod('hi', { cpu: '2', spec: { priority: 100 } });
    const snap = snapshotOf(nodes, {}, { a: [hi] });
    expect(preempt(hi, snap, diagnose(hi, snap), [], 'a')).toEqual({ message: 'preemption: not eligible due to a terminating pod on the nominated node' });
    expect(preempt(hi, snap, diagnose(hi, snap), [])).toMatchObject({ candidate: { nodeName: 'a' } });
  });
});
