import { describe, expect, it } from 'vitest';
import { parseSchedule } from './schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseSchedule().next', () => {
  const cases: [string, string, string, string?][] = [
    ['* * * * *', '2026-03-01T10:00:30Z', '2026-03-01T10:01:00.000Z'],
    ['*/15 * * * *', '2026-03-01T10:01:00Z', '2026-03-01T10:15:00.000Z'],
    ['0 9-17/4 * * *', '2026-03-01T10:00:00Z', '2026-03-01T13:00:00.000Z'],
    ['30 2 * * mon-fri', '2026-03-06T03:00:00Z', '2026-03-09T02:30:00.000Z'],
    ['0 0 1 JAN *', '2026-03-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 13 * 5', '2026-03-01T00:00:00Z', '2026-03-06T00:00:00.000Z'],
    ['0 0 31 * *', '2026-04-01T00:00:00Z', '2026-05-31T00:00:00.000Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['@hourly', '2026-03-01T10:59:59Z', '2026-03-01T11:00:00.000Z'],
    ['@daily', '2026-03-01T10:00:00Z', '2026-03-02T00:00:00.000Z'],
    ['@weekly', '2026-03-02T10:00:00Z', '2026-03-08T00:00:00.000Z'],
    ['@monthly', '2026-03-02T10:00:00Z', '2026-04-01T00:00:00.000Z'],
    ['@yearly', '2026-03-02T10:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['@every 90s', '2026-03-01T10:00:00Z', '2026-03-01T10:01:30.000Z'],
    ['0 9 * * *', '2026-03-01T00:00:00Z', '2026-03-01T08:00:00.000Z', 'Europe/Berlin'],
    ['0 9 * * *', '2026-07-01T00:00:00Z', '2026-07-01T07:00:00.000Z', 'Europe/Berlin'],
    ['0 0 * * *', '2026-03-01T12:00:00Z', '2026-03-02T05:00:00.000Z', 'America/New_York'],
  ];
  for (const [spec, from, want, tz] of cases) {
    it(`${spec}${tz ? ` in ${tz}` : ''} after ${from}`, () => expect(iso(parseSchedule(spec).next(at(from), tz))).toBe(want));
  }
  it('day of month OR day of week when both are restricted, AND when one is *', () => {
    // 13th or Friday: the first Friday after Mar 1 2026 is Mar 6.
    expect(iso(parseSchedule('0 0 13 * fri').next(at('2026-03-01T00:00:00Z')))).toBe('2026-03-06T00:00:00.000Z');
    // Friday the 13th only when dom is * ... dow restricted: every Friday.
    expect(iso(parseSchedule('0 0 * * fri').next(at('2026-03-06T00:00:00Z')))).toBe('2026-03-13T00:00:00.000Z');
  });
  for (const bad of ['* * * *', '60 * * * *', '* * * * 7', '5-1 * * * *', '*/0 * * * *', 'TZ=UTC * * * * *', 'x * * * *', '@every 1x']) {
    it(`rejects ${bad}`, () => expect(() => parseSchedule(bad)).toThrow());
  }
});
