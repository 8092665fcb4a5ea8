/** Structural equality of JSON values; a key holding undefined counts as absent (as in JSON text). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  return isPlainRecord(a) && isPlainRecord(b) && sameFields(a, b, undefined);
}

/** jsonEqual of two objects, ignoring the key `skip` (when given) on both. */
export function sameFields(a: Record<string, unknown>, b: Record<string, unknown>, skip: string | undefined): boolean {
  let na = 0;
  for (const k of Object.keys(a)) {
    if (k === skip || a[k] === undefined) continue;
    na++;
    if (!jsonEqual(a[k], b[k])) return false;
  }
  let nb = 0;
  for (const k of Object.keys(b)) if (k !== skip && b[k] !== undefined) nb++;
  return na === nb;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
