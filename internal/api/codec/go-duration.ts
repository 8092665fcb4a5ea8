/**
 * Go time.Duration text, as Kubernetes puts it on the wire (metav1.Duration JSON, `timeout=32s`
 * query parameters): "1h2m3.5s", "1m0s", "150ms", "0s". Values are nanoseconds.
 */

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_MAX = 2n ** 63n - 1n;

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/** Parses like Go's time.ParseDuration; exact nanoseconds. Throws DurationError with Go's text. */
export function parseGoDurationNs(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart, fracPart] = [m[0], m[1] ?? '', m[2] ?? ''];
    if (intPart === '' && fracPart === '') throw new DurationError(`time: invalid duration ${quoted}`);
    s = s.slice(whole.length);
    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new DurationError(`time: missing unit in duration ${quoted}`);
    const unitText = unitMatch[0];
    const unit = UNITS[unitText];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}`);
    s = s.slice(unitText.length);
    let v = BigInt(intPart || '0') * unit;
    if (fracPart) v += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += v;
    if (total > INT64_MAX + (neg ? 1n : 0n)) throw new DurationError(`time: invalid duration ${quoted}`);
  }
  return neg ? -total : total;
}

/** Same as parseGoDurationNs, as a number of nanoseconds (exact below about 104 days). */
export function parseGoDuration(text: string): number {
  return Number(parseGoDurationNs(text));
}

/** Formats nanoseconds like Go's Duration.String(). */
export function formatGoDuration(nanoseconds: bigint | number): string {
  let ns = typeof nanoseconds === 'bigint' ? nanoseconds : BigInt(Math.trunc(nanoseconds));
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${fraction(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${fraction(ns, 6)}ms`;
  const seconds = ns / 1_000_000_000n;
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  let out = `${fraction((seconds % 60n) * 1_000_000_000n + (ns % 1_000_000_000n), 9)}s`;
  if (h > 0n || m > 0n) out = `${m}m${out}`;
  if (h > 0n) out = `${h}h${out}`;
  return sign + out;
}

/** `value / 10^digits` with the fractional part's trailing zeros removed. */
function fraction(value: bigint, digits: number): string {
  const unit = 10n ** BigInt(digits);
  const frac = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac ? `${value / unit}.${frac}` : `${value / unit}`;
}
