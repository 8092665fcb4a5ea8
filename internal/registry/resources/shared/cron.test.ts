import { describe, expect, it } from 'vitest';
import { cronScheduleError } from './cron.js';

describe('cronScheduleError (robfig/cron ParseStandard rules)', () => {
  it.each(['*/5 * * * *', '0 0 1 1 *', '0 9-17 * * MON-FRI', '15,45 */2 ? JAN,JUL 0', '@hourly', '@every 1h30m'])('accepts %s', (s) => {
    expect(cronScheduleError(s)).toBeUndefined();
  });
  it.each([
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['TZ=UTC 0 * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ])('rejects %s', (s, msg) => {
    expect(cronScheduleError(s)).toBe(msg);
  });
});
