import { describe, expect, it } from 'vitest';
import { compile, toCel } from './index.js';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.js';

const run = (src: string, self: unknown = null) => {
  const c = compile(src, ['self']);
  if ('error' in c) throw new Error(c.error);
  return c.program.eval({ self: toCel(self) }, { used: 0, limit: 1_000_000 });
};

describe('CEL quantity library', () => {
  it('parses upstream quantity forms exactly', () => {
    expect(parseQuantity('1')).toBe(1_000_000_000n);
    expect(parseQuantity('500m')).toBe(500_000_000n);
    expect(parseQuantity('1Ki')).toBe(1024_000_000_000n);
    expect(parseQuantity('1.5Gi')).toBe(1_610_612_736_000_000_000n);
    expect(parseQuantity('1e3')).toBe(1000_000_000_000n);
    expect(parseQuantity('-2k')).toBe(-2000_000_000_000n);
    expect(parseQuantity('1e-12')).toBe(1n); // rounded up to 1n
    for (const bad of ['', 'abc', '1Qi', '1.2.3', '--1', 'Mi']) expect(parseQuantity(bad)).toBeUndefined();
  });
  const cases: [string, unknown][] = [
    ["quantity('1Gi').isGreaterThan(quantity('1000Mi')) && quantity('500m').isLessThan(quantity('1'))", true],
    ["quantity('1') == quantity('1000m') && quantity('1') != quantity('2')", true],
    ["quantity('1Ki').compareTo(quantity('1024'))", 0n],
    ["quantity('2.5').add(quantity('500m')).asInteger() + quantity('10').sub(3).asInteger()", 10n],
    ["quantity('100m').isInteger() || quantity('-3').sign() != -1", false],
    ["quantity('1.5').asApproximateFloat()", 1.5],
    ["isQuantity('128Mi') && !isQuantity('128MB')", true],
    ["self.all(r, quantity(r).isLessThan(quantity('2Gi')))", true],
  ];
  it.each(cases)('%s', (src, want) => {
    expect(run(src, ['1Gi', '512Mi'])).toEqual({ value: want });
  });
  it("upstream's errors", () => {
    expect(run("quantity('12 apples')")).toEqual({ error: QUANTITY_FORMAT_ERROR });
    expect(run("quantity('1.5').asInteger()")).toEqual({ error: 'cannot convert value to integer' });
  });
});
