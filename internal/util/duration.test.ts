import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['15s', 15_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text, '--x')).toBe(ms));

  it.each(['', '15', 's', '15sec', '-1s', '1s ', 'abc'])('refuses %j', (text) => expect(() => parseDuration(text, '--x')).toThrow(/--x must be a duration/));
});
