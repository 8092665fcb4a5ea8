import type { CelFunc, CelList, CelValue } from '@bufbuild/cel';
import { celModule } from './engine.js';

/** The meter a running evaluation charges; set by run() around one evaluation (evaluation is synchronous). */
export interface Meter {
  used: number;
  limit: number;
}
let meter: Meter | undefined;

/** Runs fn with `m` as the active meter; the cost functions below charge it. */
export function metered<T>(m: Meter, fn: () => T): T {
  const prev = meter;
  meter = m;
  try {
    return fn();
  } finally {
    meter = prev;
  }
}

/** Thrown (and turned into a CEL error by the evaluator) when an evaluation runs out of its budget. */
export const COST_EXCEEDED = 'operation cancelled: actual cost limit exceeded';

export function charge(units: number): void {
  if (!meter) return;
  meter.used += units;
  if (meter.used > meter.limit) throw new Error(COST_EXCEEDED);
}

function sizeOf(v: CelValue): number {
  const { cel } = celModule();
  if (cel.isCelList(v)) return v.size;
  if (cel.isCelMap(v)) return v.size;
  if (typeof v === 'string') return v.length;
  return 1;
}

/**
 * Internal cost hooks the compiler wraps around comprehension ranges: `__cost_range(range, k)`
 * charges size(range) × k (k = the loop body's node count) before the loop runs, so a nested
 * comprehension over a large input stops at the budget instead of running to the end.
 */
export const COST_RANGE = '__kplane_cost_range';

/**
 * Kubernetes' CEL libraries that kubectl users reach for, over CEL's standard functions and the
 * strings extension (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split,
 * substring, trim, join, format, quote): lists (isSorted, sum, min, max, indexOf, lastIndexOf).
 */
export function kubernetesLibrary(): CelFunc[] {
  const { cel, ext } = celModule();
  const { CelScalar, celMethod, celFunc, listType } = cel;
  const L = listType(CelScalar.DYN);
  const items = (l: CelList): CelValue[] => [...l];
  const cmp = (a: CelValue, b: CelValue): number => {
    if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
    throw new Error('no such overload');
  };
  const extreme = (name: string, sign: number) =>
    celMethod(name, L, [], CelScalar.DYN, function (this: CelList) {
      const xs = items(this);
      if (xs.length === 0) throw new Error(`${name} called on empty list`);
      return xs.reduce((m, x) => (cmp(x, m) * sign > 0 ? x : m));
    });
  const eq = (a: CelValue, b: CelValue) => a === b || (typeof a === typeof b && typeof a !== 'object' ? a === b : JSON.stringify(a, big) === JSON.stringify(b, big));
  return [
    ...ext.strings,
    celFunc(COST_RANGE, [CelScalar.DYN, CelScalar.INT], CelScalar.DYN, (range, k) => {
      charge(sizeOf(range) * Number(k));
      return range;
    }),
    celMethod('isSorted', L, [], CelScalar.BOOL, function (this: CelList) {
      const xs = items(this);
      return xs.every((x, i) => i === 0 || cmp(xs[i - 1]!, x) <= 0);
    }),
    celMethod('sum', L, [], CelScalar.DYN, function (this: CelList) {
      const xs = items(this);
      if (xs.length === 0) return 0n;
      return xs.reduce((s, x) => {
        if (typeof s === 'bigint' && typeof x === 'bigint') return s + x;
        if (typeof s === 'number' && typeof x === 'number') return s + x;
        throw new Error('no such overload');
      });
    }),
    extreme('min', -1),
    extreme('max', 1),
    celMethod('indexOf', L, [CelScalar.DYN], CelScalar.INT, function (this: CelList, v: CelValue) {
      return BigInt(items(this).findIndex((x) => eq(x, v)));
    }),
    celMethod('lastIndexOf', L, [CelScalar.DYN], CelScalar.INT, function (this: CelList, v: CelValue) {
      return BigInt(items(this).findLastIndex((x) => eq(x, v)));
    }),
  ];
}

function big(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Map) return [...v.entries()];
  return v;
}
