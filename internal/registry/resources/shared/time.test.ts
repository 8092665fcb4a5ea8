import { describe, expect, it } from 'vitest';
import { humanDuration, since } from './time.js';

describe('humanDuration (mirrors apimachinery duration.HumanDuration steps)', () => {
  it.each([
    [-5000, '<invalid>'], [-1000, '0s'], [0, '0s'], [5000, '5s'], [119_000, '119s'], [200_000, '3m20s'],
    [300_000, '5m'], [11 * 60_000, '11m'], [179 * 60_000, '179m'], [3 * 3600_000, '3h'], [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [30 * 3600_000, '30h'], [51 * 3600_000, '2d3h'], [48 * 3600_000, '2d'], [100 * 86400_000, '100d'],
    [(3 * 365 + 2) * 86400_000, '3y2d'], [10 * 365 * 86400_000, '10y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('since() reports <unknown> for a missing timestamp', () => {
    expect(since(undefined, 0)).toBe('<unknown>');
    expect(since('2026-11-23T09:59:55Z', Date.parse('2026-11-23T10:00:00Z'))).toBe('5s');
  });
});
