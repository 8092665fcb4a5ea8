import type { CelValue } from '@bufbuild/cel';
import { celModule } from './engine.js';

/**
 * How JSON numbers under a node become CEL numbers: OpenAPI `integer` → int, `number` → double;
 * without a declared type (preserved unknown fields, int-or-string) whole numbers are ints.
 */
export interface NumberHint {
  number?: 'int' | 'double';
  child?(key: string | number): NumberHint | undefined;
}

/** A JSON value as a CEL value (objects → maps with string keys, arrays → lists). */
export function toCel(v: unknown, hint?: NumberHint): CelValue {
  const { cel } = celModule();
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    const kind = hint?.number ?? (Number.isInteger(v) ? 'int' : 'double');
    return kind === 'int' && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return cel.celList(v.map((x, i) => toCel(x, hint?.child?.(i))));
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toCel(x, hint?.child?.(k))] as [string, CelValue]);
  return cel.celMap(new Map(entries));
}

/** A CEL map of values that are CEL values already (e.g. evaluated policy variables). */
export function celMapOf(entries: Map<string, CelValue>): CelValue {
  return celModule().cel.celMap(entries);
}
