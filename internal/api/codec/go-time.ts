/** metav1.Time and MicroTime text: RFC 3339 in UTC, whole seconds or microseconds. */

/** "2026-11-22T20:24:47Z" from Unix seconds (Time drops nanoseconds, as upstream does). */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "2026-11-22T20:24:47.123456Z" from Unix seconds + nanoseconds. */
export function formatMicroTime(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  const micros = Math.floor(nanos / 1000).toString().padStart(6, '0');
  return `${base}.${micros}Z`;
}

/** Parses RFC 3339 (any offset, optional fraction) into Unix seconds + nanoseconds. */
export function parseTime(text: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) throw new Error(`parsing time ${JSON.stringify(text)}: not RFC 3339`);
  const ms = Date.parse(`${m[1]}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) throw new Error(`parsing time ${JSON.stringify(text)}: out of range`);
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}
