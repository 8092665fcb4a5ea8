/**
 * Standard 5-field cron schedules as CronJobs accept them (robfig/cron ParseStandard): minute,
 * hour, day of month, month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT), each a list of
 * `*`, `?`, values, ranges and /steps; or a descriptor (@hourly, @every 5m, ...). Returns the
 * problem text (similar to upstream's) or undefined when the schedule parses.
 */
const FIELDS: { min: number; max: number; names?: string[] }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

export function cronScheduleError(schedule: string): string | undefined {
  const s = schedule.trim();
  if (s === '') return 'empty spec string';
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (s.startsWith('@')) {
    if (DESCRIPTORS.has(s)) return undefined;
    if (s.startsWith('@every ')) {
      const d = s.slice('@every '.length).trim();
      return GO_DURATION.test(d) ? undefined : `failed to parse duration ${s}: time: invalid duration "${d}"`;
    }
    return `unrecognized descriptor: ${s}`;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) return `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    for (const expr of parts[i]!.split(',')) {
      const problem = rangeError(expr, FIELDS[i]!);
      if (problem) return problem;
    }
  }
  return undefined;
}

function value(text: string, f: (typeof FIELDS)[number]): number | string {
  const named = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (f.min === 1 ? 1 : 0);
  if (!/^\d+$/.test(text)) return `failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`;
  return Number(text);
}

function rangeError(expr: string, f: (typeof FIELDS)[number]): string | undefined {
  const [range, step, extra] = expr.split('/');
  if (extra !== undefined) return `too many slashes: ${expr}`;
  let lo = f.min;
  let hi = f.max;
  if (range !== '*' && range !== '?') {
    const [a, b, more] = (range ?? '').split('-');
    if (more !== undefined) return `too many hyphens: ${expr}`;
    const start = value(a ?? '', f);
    if (typeof start === 'string') return start;
    const end = b === undefined ? start : value(b, f);
    if (typeof end === 'string') return end;
    lo = start;
    hi = end;
  }
  if (step !== undefined) {
    const n = value(step, f);
    if (typeof n === 'string') return n;
    if (n === 0) return `step of range should be a positive number: ${expr}`;
  }
  if (lo < f.min) return `beginning of range (${lo}) below minimum (${f.min}): ${expr}`;
  if (hi > f.max) return `end of range (${hi}) above maximum (${f.max}): ${expr}`;
  if (lo > hi) return `beginning of range (${lo}) beyond end of range (${hi}): ${expr}`;
  return undefined;
}
