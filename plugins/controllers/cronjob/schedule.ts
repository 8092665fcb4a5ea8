/**
 * Cron schedules as CronJob.spec.schedule reads them (the standard five fields of the robfig/cron
 * parser upstream uses): `*`, `?`, values, ranges, steps, lists, month and weekday names, and the
 * @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly and `@every <duration>` macros.
 * Day of month and day of week combine with OR when both are restricted, AND when either is `*`.
 */
export interface Schedule {
  next(afterMs: number, timeZone?: string): number;
}

interface Field {
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class ScheduleError extends Error {}

function value(text: string, f: Field): number {
  const named = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + f.min;
  if (!/^\d+$/.test(text)) throw new ScheduleError(`failed to parse int from ${text}`);
  return Number(text);
}

function parseField(text: string, f: Field): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new ScheduleError(`too many slashes: ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [f.min, f.max];
      if (stepText === undefined) star = true;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) throw new ScheduleError(`too many hyphens: ${range}`);
      lo = value(a!, f);
      hi = b === undefined ? (stepText === undefined ? lo : f.max) : value(b, f);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new ScheduleError(`step of range should be a positive number: ${part}`);
    if (lo < f.min) throw new ScheduleError(`beginning of range (${lo}) below minimum (${f.min}): ${part}`);
    if (hi > f.max) throw new ScheduleError(`end of range (${hi}) above maximum (${f.max}): ${part}`);
    if (lo > hi) throw new ScheduleError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Wall-clock fields of an instant in a time zone (UTC when none). */
interface Wall {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  daysInMonth: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function wall(ms: number, timeZone: string | undefined): Wall {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(ms);
    const daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    return { month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), daysInMonth };
  }
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    month,
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

/** A valid IANA time zone name for this runtime. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;
const SEARCH_LIMIT_MS = 5 * 366 * 24 * 3600_000;

export function parseSchedule(text: string): Schedule {
  const spec = text.trim();
  if (/^(CRON_)?TZ=/.test(spec)) throw new ScheduleError('CRON_TZ and TZ are not supported, use spec.timeZone');
  const every = /^@every\s+(.+)$/.exec(spec);
  if (every) {
    const ms = parseDuration(every[1]!);
    return { next: (after) => Math.floor((after + ms) / 1000) * 1000 };
  }
  const fields = (MACROS[spec] ?? spec).split(/\s+/);
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const [minute, hour, dom, month, dow] = fields.map((t, i) => parseField(t, FIELDS[i]!));
  const dayMatches = (w: Wall) => {
    const a = dom!.set.has(w.day);
    const b = dow!.set.has(w.weekday);
    return dom!.star || dow!.star ? a && b : a || b;
  };
  return {
    next(after, timeZone) {
      let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
      const end = after + SEARCH_LIMIT_MS;
      while (t < end) {
        const w = wall(t, timeZone);
        if (!month!.set.has(w.month)) t += ((w.daysInMonth - w.day + 1) * 1440 - w.hour * 60 - w.minute) * MINUTE;
        else if (!dayMatches(w)) t += (1440 - w.hour * 60 - w.minute) * MINUTE;
        else if (!hour!.set.has(w.hour)) t += (60 - w.minute) * MINUTE;
        else if (!minute!.set.has(w.minute)) t += MINUTE;
        else return t;
      }
      return Infinity;
    },
  };
}

/** Go duration text ("1h30m", "90s", "5m"). */
function parseDuration(text: string): number {
  const units: Record<string, number> = { h: 3600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  let rest = text.trim();
  if (!rest) throw new ScheduleError(`invalid duration ${text}`);
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) throw new ScheduleError(`failed to parse duration ${text}`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (total < 1000) throw new ScheduleError(`failed to parse duration ${text}`);
  return total;
}
