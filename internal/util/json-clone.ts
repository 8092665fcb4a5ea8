/**
 * A deep copy equal to JSON.parse(JSON.stringify(v)), without the text in between: undefined,
 * functions and symbols are dropped from objects and become null in arrays, non-finite numbers
 * become null, -0 becomes 0, and anything that is not a plain object or array (Date, Map, class
 * instances, objects with toJSON) goes through JSON itself. Strings are shared, which is what
 * makes it cheaper than the text round trip for objects carrying large values (ConfigMap data,
 * Secrets). Throws like JSON.stringify on BigInt; a cycle overflows the stack instead of a TypeError.
 * Returns undefined for undefined (JSON.stringify would return undefined and JSON.parse throw).
 */
export function jsonClone<T>(v: T): T {
  return v === undefined ? v : (copyValue(v, false) as T);
}

function copyValue(v: unknown, inArray: boolean): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'object':
      if (v === null) return null;
      if (Array.isArray(v)) return copyArray(v);
      return copyObject(v as Record<string, unknown>);
    case 'bigint':
      return JSON.stringify(v); // throws TypeError, as the text round trip would
    default:
      // undefined, function, symbol: skipped by the object copy; null in an array.
      return inArray ? null : undefined;
  }
}

function copyArray(a: unknown[]): unknown[] {
  const out = new Array<unknown>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = copyValue(a[i], true);
  return out;
}

function copyObject(o: Record<string, unknown>): unknown {
  const proto = Object.getPrototypeOf(o);
  if ((proto !== Object.prototype && proto !== null) || typeof o.toJSON === 'function') return JSON.parse(JSON.stringify(o));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    const c = copyValue(x, false);
    // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}
