/**
 * An IntOrString (`3` or `"25%"`) against a total, as upstream's GetScaledValueFromIntOrPercent:
 * percentages round up or down as asked.
 */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const exact = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}
