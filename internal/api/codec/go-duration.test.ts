import { describe, expect, it } from 'vitest';
import { DurationError, formatGoDuration, parseGoDuration, parseGoDurationNs } from './go-duration.js';

describe('formatGoDuration (Go Duration.String)', () => {
  it.each([
    [0, '0s'],
    [1, '1ns'],
    [1_500, '1.5µs'],
    [150_000_000, '150ms'],
    [32_000_000_000, '32s'],
    [60_000_000_000, '1m0s'],
    [3_600_000_000_000, '1h0m0s'],
    [3_723_500_000_000, '1h2m3.5s'],
    [-90_000_000_000, '-1m30s'],
  ])('%d ns → %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
  it('keeps int64 precision with bigint', () => {
    expect(formatGoDuration(8760n * 3_600_000_000_000n + 1n)).toBe('8760h0m0.000000001s');
  });
});

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['32s', 32e9],
    ['1m0s', 60e9],
    ['1h2m3.5s', 3_723_500_000_000],
    ['1.5h', 5_400e9],
    ['100ms', 1e8],
    ['5us', 5_000],
    ['5µs', 5_000],
    ['5μs', 5_000],
    ['7ns', 7],
    ['0', 0],
    ['-1m', -60e9],
    ['+2s', 2e9],
    ['.5s', 5e8],
    ['1.s', 1e9],
  ])('%s', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });
  it('round-trips through the formatter', () => {
    for (const t of ['1h0m0s', '1m30s', '150ms', '2.5µs', '8760h0m0s']) expect(formatGoDuration(parseGoDurationNs(t))).toBe(t);
  });
  it('errors like Go', () => {
    const msg = (t: string) => {
      try {
        parseGoDuration(t);
      } catch (e) {
        expect(e).toBeInstanceOf(DurationError);
        return (e as Error).message;
      }
      throw new Error('expected failure');
    };
    expect(msg('')).toBe('time: invalid duration ""');
    expect(msg('s')).toBe('time: invalid duration "s"');
    expect(msg('1')).toBe('time: missing unit in duration "1"');
    expect(msg('1x')).toBe('time: unknown unit "x" in duration "1x"');
    expect(msg('3000000h')).toBe('time: invalid duration "3000000h"');
  });
});
