import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { schedulePod } from './schedule.js';
import { makeNode, pod } from './testing/fixtures.js';
import { seededRand } from '../../internal/util/index.js';

describe('SchedulerCache', () => {
  it('counts assumed pods so the next cycle sees them, and forgets a failed binding', () => {
    const c = new SchedulerCache();
    c.setNode(makeNode('n', { cpu: '1' }));
    c.assume(pod('a', { cpu: '800m' }), 'n');
    expect(schedulePod(pod('b', { cpu: '500m' }), c, { start: 0, rand: seededRand(1) })).toHaveProperty('diagnosis');
    c.removePod('default/a');
    expect(schedulePod(pod('b', { cpu: '500m' }), c, { start: 0, rand: seededRand(1) })).toMatchObject({ nodeName: 'n' });
  });

  it('confirms an assumed pod once bound, and keeps pods of a node not seen yet', () => {
    const c = new SchedulerCache();
    c.assume(pod('a', { cpu: '1' }), 'later');
    expect(c.isAssumed('default/a')).toBe(true);
    c.addPod({ ...pod('a', { cpu: '1' }), nodeName: 'later' });
    expect(c.isAssumed('default/a')).toBe(false);
    expect(c.setNode(makeNode('later'))).toBe(true);
    expect(c.get('later')!.requested.milliCPU).toBe(1000);
    expect(c.setNode(makeNode('later', { cpu: '8' }))).toBe(false);
    expect(c.get('later')!.allocatable.milliCPU).toBe(8000);
  });

  it('indexes pods by controller per node', () => {
    const c = new SchedulerCache();
    c.setNode(makeNode('n'));
    c.addPod({ ...pod('a', { owner: 'rs' }), nodeName: 'n' });
    c.addPod({ ...pod('b', { owner: 'rs' }), nodeName: 'n' });
    expect(c.podsByController('uid-rs')?.get('n')).toBe(2);
    c.removePod('default/a');
    c.removePod('default/b');
    expect(c.podsByController('uid-rs')).toBeUndefined();
    c.deleteNode('n');
    expect(c.nodes).toEqual([]);
  });
});
