import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/index.js';
import { decodeConfChange, encodeConfChange } from './conf-change.js';
import { validateConfig } from './config.js';
import { committedIndex, voteResult } from './quorum.js';
import { Inflights, Progress } from './progress.js';
import { MemoryLogStorage } from './memory-storage.js';
import { createRaft } from './raw-node.js';

describe('quorum arithmetic', () => {
  it('commits the index held by a majority', () => {
    const acked = new Map([[1, 5], [2, 3], [3, 9]]);
    expect(committedIndex([1, 2, 3], (id) => acked.get(id)!)).toBe(5);
    expect(committedIndex([1, 2, 3, 4], (id) => [0, 5, 3, 9, 1][id]!)).toBe(3);
    expect(committedIndex([], () => 7)).toBe(0);
  });

  it('decides a vote once the majority is reached or out of reach', () => {
    expect(voteResult([1, 2, 3], new Map([[1, true]]))).toBe('pending');
    expect(voteResult([1, 2, 3], new Map([[1, true], [2, true]]))).toBe('won');
    expect(voteResult([1, 2, 3], new Map([[1, true], [2, false], [3, false]]))).toBe('lost');
    expect(voteResult([1, 2, 3, 4], new Map([[1, true], [2, true], [3, false]]))).toBe('pending');
  });
});

describe('progress', () => {
  it('inflights fill by count and bytes and free by index', () => {
    const inf = new Inflights(3, 100);
    inf.add(1, 10);
    inf.add(2, 95);
    expect(inf.full()).toBe(true); // bytes
    inf.freeLE(1);
    expect([inf.count(), inf.full()]).toEqual([1, false]);
  });

  it('probe decrements next using the hint, never below match + 1', () => {
    const pr = new Progress(10, false, 4, 0);
    pr.match = 3;
    expect(pr.maybeDecrTo(8, 5)).toBe(false); // stale: we did not send after 8
    expect(pr.maybeDecrTo(9, 5)).toBe(true);
    expect(pr.next).toBe(6);
    expect(pr.maybeDecrTo(5, 1)).toBe(true);
    expect(pr.next).toBe(4);
  });
});

describe('config and codecs', () => {
  const storage = new MemoryLogStorage();
  const base = { id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0 };

  it('validates once and fills defaults (PreVote and CheckQuorum on)', () => {
    const c = validateConfig(base);
    expect([c.preVote, c.checkQuorum, c.maxInflightMsgs, c.maxSizePerMsg]).toEqual([true, true, 256, 1024 * 1024]);
    expect(() => validateConfig({ ...base, id: 0 })).toThrow(ConfigError);
    expect(() => validateConfig({ ...base, electionTick: 1 })).toThrow(/greater than heartbeatTick/);
    expect(() => validateConfig({ ...base, maxInflightBytes: 10 })).toThrow(/maxInflightBytes/);
    expect(() => validateConfig({ ...base, checkQuorum: false, readOnlyLeaseBased: true })).toThrow(/requires checkQuorum/);
  });

  it('rejects an applied index the storage cannot serve', () => {
    const s = MemoryLogStorage.withConfState({ voters: [1], learners: [] });
    expect(() => createRaft({ ...base, storage: s, applied: 0 })).toThrow(ConfigError); // below the snapshot
    expect(() => createRaft({ ...base, storage: s, applied: 2 })).toThrow(ConfigError); // past commit
    expect(createRaft({ ...base, storage: s, applied: 1 }).status().applied).toBe(1);
  });

  it('round-trips conf changes with context', () => {
    const cc = { type: 'addLearner' as const, nodeId: 42, context: new Uint8Array([1, 2, 255]) };
    expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
    expect(decodeConfChange(encodeConfChange({ type: 'removeNode', nodeId: 3 }))).toEqual({ type: 'removeNode', nodeId: 3 });
  });
});
