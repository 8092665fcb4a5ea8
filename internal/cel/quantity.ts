import type { CelFunc, CelMap, CelValue } from '@bufbuild/cel';
import { celModule } from './engine.js';

// Kubernetes' CEL quantity library: quantity(s), isQuantity(s) and the methods sign(), isInteger(),
// asInteger(), asApproximateFloat(), add(), sub(), isGreaterThan(), isLessThan(), compareTo().
// A quantity is held exactly in nano units (upstream rounds smaller fractions up to 1n); values
// are CEL maps the library knows, so == compares amounts (quantity('1') == quantity('1000m')).

const NANO = 1_000_000_000n;
const FORMAT = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const ceilDiv = (a: bigint, b: bigint) => (a >= 0n ? (a + b - 1n) / b : a / b);

/** A quantity's amount in nano units, or undefined when the text is not a quantity. */
export function parseQuantity(s: string): bigint | undefined {
  const m = FORMAT.exec(s);
  if (!m) return undefined;
  const [, num, suffix] = m as unknown as [string, string, string];
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(num)) return undefined;
  const negative = num.startsWith('-');
  const [whole, frac = ''] = num.replace(/^[+-]/, '').split('.');
  // digits × 10^(exp - frac.length) × mult
  let digits = BigInt(`${whole || '0'}${frac}`);
  let exp = -frac.length;
  let mult = 1n;
  if (suffix in BINARY) mult = BINARY[suffix]!;
  else if (suffix in DECIMAL) exp += DECIMAL[suffix]!;
  else if (/^[eE][-+]?\d+$/.test(suffix)) exp += Number(suffix.slice(1));
  else return undefined;
  digits *= mult;
  const shift = exp + 9;
  const nanos = shift >= 0 ? digits * 10n ** BigInt(shift) : ceilDiv(digits, 10n ** BigInt(-shift));
  return negative ? -nanos : nanos;
}

const quantities = new WeakMap<object, bigint>();
function quantity(nanos: bigint): CelMap {
  const m = celModule().cel.celMap(new Map<string, CelValue>([['quantity', `${nanos}n`]])) as CelMap;
  quantities.set(m as object, nanos);
  return m;
}
function amount(v: unknown): bigint {
  const q = v && typeof v === 'object' ? quantities.get(v) : undefined;
  if (q === undefined) throw new Error('no such overload');
  return q;
}
/** An int argument counts whole units, a quantity its amount. */
const operand = (v: unknown): bigint => (typeof v === 'bigint' ? v * NANO : amount(v));

export const QUANTITY_FUNCTIONS = ['quantity', 'isQuantity', 'sign', 'isInteger', 'asInteger', 'asApproximateFloat', 'add', 'sub', 'isGreaterThan', 'isLessThan', 'compareTo'];

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

export function quantityLibrary(): CelFunc[] {
  const { CelScalar, celFunc, celMethod, mapType } = celModule().cel;
  const M = mapType(CelScalar.STRING, CelScalar.DYN);
  const D = CelScalar.DYN;
  const self = (m: CelMap) => amount(m);
  return [
    celFunc('quantity', [CelScalar.STRING], M, (s) => {
      const q = parseQuantity(s);
      if (q === undefined) throw new Error(QUANTITY_FORMAT_ERROR);
      return quantity(q);
    }),
    celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (s) => parseQuantity(s) !== undefined),
    celMethod('sign', M, [], CelScalar.INT, function (this: CelMap) { const q = self(this); return q > 0n ? 1n : q < 0n ? -1n : 0n; }),
    celMethod('isInteger', M, [], CelScalar.BOOL, function (this: CelMap) { const q = self(this); return q % NANO === 0n && q / NANO <= MAX_INT64 && q / NANO >= MIN_INT64; }),
    celMethod('asInteger', M, [], CelScalar.INT, function (this: CelMap) {
      const q = self(this);
      if (q % NANO !== 0n || q / NANO > MAX_INT64 || q / NANO < MIN_INT64) throw new Error('cannot convert value to integer');
      return q / NANO;
    }),
    celMethod('asApproximateFloat', M, [], CelScalar.DOUBLE, function (this: CelMap) { return Number(self(this)) / 1e9; }),
    celMethod('add', M, [D], M, function (this: CelMap, x: CelValue) { return quantity(self(this) + operand(x)); }),
    celMethod('sub', M, [D], M, function (this: CelMap, x: CelValue) { return quantity(self(this) - operand(x)); }),
    celMethod('isGreaterThan', M, [M], CelScalar.BOOL, function (this: CelMap, x: CelMap) { return self(this) > amount(x); }),
    celMethod('isLessThan', M, [M], CelScalar.BOOL, function (this: CelMap, x: CelMap) { return self(this) < amount(x); }),
    celMethod('compareTo', M, [M], CelScalar.INT, function (this: CelMap, x: CelMap) { const a = self(this); const b = amount(x); return a > b ? 1n : a < b ? -1n : 0n; }),
  ];
}
