import { describe, expect, it } from 'vitest';
import { MemoryLogStorage, type Entry } from '../../internal/raft/index.js';
import { EventBudgetExceeded, EventLoop } from './event-loop.js';
import { SimDisk } from './sim-disk.js';

const entry = (index: number, term = 1): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

describe('SimDisk', () => {
  it('loses exactly the writes not yet fsynced on a crash', () => {
    const disk = new SimDisk(new MemoryLogStorage());
    disk.write({ entries: [entry(1), entry(2)], hardState: { term: 1, vote: 1, commit: 0 } });
    disk.sync();
    disk.write({ entries: [entry(3)], hardState: { term: 2, vote: 2, commit: 2 } });
    expect(disk.log.lastIndex()).toBe(3); // visible to the core before the fsync
    const after = disk.crash();
    expect(after.lastIndex()).toBe(2);
    expect(after.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(disk.hasUnsynced()).toBe(false);
  });

  it('syncs batches in write order, so a crash leaves a prefix of the writes', () => {
    const disk = new SimDisk(new MemoryLogStorage());
    disk.write({ entries: [entry(1), entry(2), entry(3)] });
    disk.write({ entries: [entry(2, 2)] }); // truncates 3, replaces 2
    disk.sync(1);
    expect(disk.crash().entries(1, 4).map((e) => e.term)).toEqual([1, 1, 1]);
  });

  it('snapshots and compacts only what is durable', () => {
    const disk = new SimDisk(new MemoryLogStorage());
    disk.write({ entries: [1, 2, 3, 4].map((i) => entry(i)) });
    expect(disk.snapshotAndCompact(3, { voters: [1], learners: [] }, new Uint8Array(), 1)).toBe(false);
    disk.sync();
    expect(disk.snapshotAndCompact(3, { voters: [1], learners: [] }, new Uint8Array([9]), 1)).toBe(true);
    const after = disk.crash();
    expect(after.snapshot().metadata.index).toBe(3);
    expect(after.firstIndex()).toBe(3);
    expect(after.lastIndex()).toBe(4);
  });
});

describe('EventLoop', () => {
  it('runs events by time, then in scheduling order, and stamps strictly increase', () => {
    const loop = new EventLoop();
    const seen: string[] = [];
    loop.after(5, () => seen.push('b'));
    loop.after(1, () => {
      seen.push('a');
      loop.after(4, () => seen.push('c')); // same time as b, scheduled later
    });
    loop.runUntil(10);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(loop.now).toBe(10);
    expect(loop.stamp()).toBeLessThan(loop.stamp());
  });

  it('stops a run that exceeds its event budget', () => {
    const loop = new EventLoop();
    const spin = () => loop.after(0, spin);
    spin();
    expect(() => loop.runUntil(1, 100)).toThrow(EventBudgetExceeded);
  });
});
