import { describe, expect, it } from 'vitest';
import type { Op } from '../../internal/storage/index.js';
import { replayCommitted, type CheckEvent } from './reference-replay.js';
import { checkWatches, type WatchStreamRecord } from './watch-checker.js';

const enc = (s: string) => new TextEncoder().encode(s);
// Revisions: 1 create /a, 2 create /b, 3 update /a, 4 failed CAS (no revision), 4 delete /b, 5 create /b again.
const log: Op[][] = [
  [{ op: 'create', key: '/a', value: enc('a1'), lease: 0 }],
  [
    { op: 'create', key: '/b', value: enc('b1'), lease: 0 },
    { op: 'update', key: '/a', value: enc('a2'), expectedModRevision: 1, lease: 0 },
  ],
  [{ op: 'update', key: '/a', value: enc('lost'), expectedModRevision: 1, lease: 0 }],
  [{ op: 'delete', key: '/b', expectedModRevision: 2 }],
  [{ op: 'create', key: '/b', value: enc('b2'), lease: 0 }],
];
const history = replayCommitted(log);

function stream(afterRevision: number, batches: CheckEvent[][], prefix = '/', progress?: number): WatchStreamRecord {
  const bs = batches.map((events) => ({ revision: events[events.length - 1]?.revision ?? afterRevision, events }));
  if (progress !== undefined) bs.push({ revision: progress, events: [] });
  return { id: 1, client: 1, node: 1, prefix, afterRevision, batches: bs };
}
const ev = (rev: number) => structuredClone(history[rev - 1]!);

describe('replayCommitted', () => {
  it('assigns one revision per successful write, with prevKv and create/delete shapes', () => {
    expect(history.map((e) => `${e.type}${e.key}@${e.revision}`)).toEqual(['put/a@1', 'put/b@2', 'put/a@3', 'delete/b@4', 'put/b@5']);
    expect(history[0]!.prev).toBeUndefined();
    expect(history[2]!.prev).toEqual({ value: 'a1', modRevision: 1, createRevision: 1, version: 1 });
    expect(history[4]).toMatchObject({ createRevision: 5, version: 1 });
    expect(history[4]!.prev).toBeUndefined();
  });
});

describe('checkWatches', () => {
  it('accepts complete, resumed and prefix-filtered streams', () => {
    const streams = [
      stream(0, [[ev(1)], [ev(2), ev(3)], [ev(4), ev(5)]]),
      { ...stream(3, [[ev(4)], [ev(5)]]), id: 2 },
      { ...stream(0, [[ev(2)], [ev(4)]], '/b', 4), id: 3 },
      { ...stream(2, [], '/', 2), id: 4 }, // progress only
    ];
    expect(checkWatches(streams, history)).toEqual([]);
  });

  it('catches a gap, a duplicate, reordering, a split revision and an event before the start', () => {
    const bad = (s: WatchStreamRecord) => checkWatches([s], history).map((v) => v.message);
    expect(bad(stream(0, [[ev(1)], [ev(3)]]))[0]).toContain('gap: missing put /b=b1@2');
    expect(bad(stream(0, [[ev(1)], [ev(1), ev(2)]])).join()).toContain('split across batches or duplicated');
    expect(bad(stream(0, [[ev(2), ev(1)]])).join()).toContain('event at 1 after 2');
    expect(bad(stream(2, [[ev(2), ev(3)]])).join()).toContain('<= start revision 2');
  });

  it('catches a wrong prevKv, a create reported with a prevKv, and a wrong value', () => {
    const wrongPrev = ev(3);
    wrongPrev.prev!.modRevision = 2;
    expect(checkWatches([stream(2, [[wrongPrev]])], history)[0]!.message).toContain('differs from history at revision 3');
    const createWithPrev = ev(5);
    createWithPrev.prev = { value: 'b1', modRevision: 2, createRevision: 2, version: 1 };
    expect(checkWatches([stream(4, [[createWithPrev]])], history)).toHaveLength(1);
    const wrongValue = ev(1);
    wrongValue.value = 'zz';
    expect(checkWatches([stream(0, [[wrongValue]])], history)).toHaveLength(1);
  });

  it('catches events after a progress notification and progress beyond the committed history', () => {
    const s = stream(0, [[ev(1)]]);
    s.batches.push({ revision: 3, events: [] }, { revision: 3, events: [ev(2)] });
    expect(checkWatches([s], history).map((v) => v.message).join()).toContain('after progress to 3');
    expect(checkWatches([stream(0, [[ev(1)]], '/', 9)], history)[0]!.message).toContain('committed history ends at 5');
    // A stream that announced progress to 5 but never delivered /b@5 has a gap.
    expect(checkWatches([stream(3, [[ev(4)]], '/', 5)], history)[0]!.message).toContain('gap');
  });
});
