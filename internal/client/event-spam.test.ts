import { describe, expect, it } from 'vitest';
import { EventSpamFilter, SPAM_FILTER_DEFAULTS } from './event-spam.js';

describe('event spam filter (client-go EventSourceObjectSpamFilter)', () => {
  const cases: { name: string; opts?: Partial<typeof SPAM_FILTER_DEFAULTS>; events: [key: string, at: number][]; allowed: boolean[] }[] = [
    { name: 'a burst passes, the next is dropped', opts: { burst: 2 }, events: [['a', 0], ['a', 1], ['a', 2]], allowed: [true, true, false] },
    { name: 'each object has its own bucket', opts: { burst: 1 }, events: [['a', 0], ['b', 0], ['a', 0], ['b', 0]], allowed: [true, true, false, false] },
    { name: 'one token comes back per refill interval', opts: { burst: 1, refillMs: 1000 }, events: [['a', 0], ['a', 999], ['a', 1999], ['a', 2000]], allowed: [true, false, true, false] },
    { name: 'refill never exceeds the burst', opts: { burst: 2, refillMs: 10 }, events: [['a', 0], ['a', 10_000], ['a', 10_000], ['a', 10_000]], allowed: [true, true, true, false] },
    { name: 'a forgotten object starts with a full bucket', opts: { burst: 1, size: 1 }, events: [['a', 0], ['b', 0], ['a', 0]], allowed: [true, true, true] },
    { name: 'a recently used object is not the one forgotten', opts: { burst: 1, size: 2 }, events: [['a', 0], ['b', 0], ['a', 0], ['c', 0], ['a', 0], ['b', 0]], allowed: [true, true, false, true, false, true] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const f = new EventSpamFilter({ ...SPAM_FILTER_DEFAULTS, ...c.opts });
      expect(c.events.map(([k, at]) => f.allow(k, at))).toEqual(c.allowed);
    });
  }

  it("client-go's defaults: 25 events per object, then one per 5 minutes", () => {
    const f = new EventSpamFilter();
    const allowed = Array.from({ length: 1000 }, (_, i) => f.allow('rs', i)).filter(Boolean).length;
    expect(allowed).toBe(25);
    expect(f.allow('rs', 1000 + 300_000)).toBe(true);
    expect(f.allow('rs', 1000 + 300_000)).toBe(false);
  });
});
