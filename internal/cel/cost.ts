import type { Node } from './ast.js';

/** Upstream's request size bound: an unbounded list can hold at most this many bytes of items. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/**
 * What the estimator knows of a value's size: lists and maps with their largest element count and
 * element shape, strings with their largest length, objects with their fields. `undefined` = nothing
 * known (the worst case is assumed).
 */
export interface Shape {
  kind: 'list' | 'map' | 'string' | 'object' | 'scalar';
  /** Largest element count (list/map) or length (string). */
  max?: number;
  /** List items / map values. */
  elem?: Shape;
  field?(name: string): Shape | undefined;
}

/** Elements of at least one byte and a comma fit MAX_REQUEST_BYTES / 2 times: the worst case. */
const WORST = Math.floor(MAX_REQUEST_BYTES / 2);

/** Functions whose cost grows with the length of the string they run over. */
const STRING_SCAN = new Set(['matches', 'contains', 'split', 'replace', 'lowerAscii', 'upperAscii', 'trim', 'indexOf', 'lastIndexOf', 'substring', 'charAt', 'join', 'format', 'quote']);

/**
 * A static estimate of the worst-case cost of an expression, in the same units the evaluator
 * charges (one per node, one per loop-body node per iteration, a tenth per scanned string byte),
 * from the shapes of the variables. It is what a CRD's rules are judged by when the CRD is written.
 */
export function estimateCost(e: Node, vars: Record<string, Shape | undefined>): number {
  return cost(e, new Map(Object.entries(vars)));
}

function cost(e: Node, scope: Map<string, Shape | undefined>): number {
  const k = e.exprKind;
  switch (k.case) {
    case 'constExpr':
      return 0;
    case 'identExpr':
      return 1;
    case 'selectExpr':
      return 1 + (k.value.operand ? cost(k.value.operand, scope) : 0);
    case 'listExpr':
      return 1 + k.value.elements.reduce((n, x) => n + cost(x, scope), 0);
    case 'structExpr':
      return 1 + k.value.entries.reduce((n, en) => n + (en.keyKind.case === 'mapKey' ? cost(en.keyKind.value, scope) : 0) + (en.value ? cost(en.value, scope) : 0), 0);
    case 'callExpr': {
      const c = k.value;
      let n = 1 + (c.target ? cost(c.target, scope) : 0) + c.args.reduce((s, x) => s + cost(x, scope), 0);
      if (STRING_SCAN.has(c.function)) n += Math.ceil(0.1 * lengthOf(c.target ?? c.args[0], scope));
      if (c.function === 'startsWith' || c.function === 'endsWith') n += Math.ceil(0.1 * lengthOf(c.args[0], scope));
      return n;
    }
    case 'comprehensionExpr': {
      const c = k.value;
      const range = c.iterRange ? shapeOf(c.iterRange, scope) : undefined;
      const card = range?.max ?? WORST;
      const inner = new Map(scope);
      inner.set(c.iterVar, range?.kind === 'map' ? { kind: 'string' } : range?.elem);
      inner.set(c.accuVar, undefined);
      const body = (c.loopCondition ? cost(c.loopCondition, inner) : 0) + (c.loopStep ? cost(c.loopStep, inner) : 0) + 1;
      const once = (c.iterRange ? cost(c.iterRange, scope) : 0) + (c.accuInit ? cost(c.accuInit, scope) : 0) + (c.result ? cost(c.result, inner) : 0);
      return once + card * body;
    }
    default:
      return 1;
  }
}

function lengthOf(e: Node | undefined, scope: Map<string, Shape | undefined>): number {
  if (!e) return 0;
  if (e.exprKind.case === 'constExpr' && e.exprKind.value.constantKind.case === 'stringValue') return e.exprKind.value.constantKind.value.length;
  return shapeOf(e, scope)?.max ?? MAX_REQUEST_BYTES;
}

/** The shape of an expression when it is a path from a variable (self.spec.items, x.name). */
function shapeOf(e: Node, scope: Map<string, Shape | undefined>): Shape | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') return scope.get(k.value.name);
  if (k.case === 'selectExpr' && k.value.operand && !k.value.testOnly) {
    const parent = shapeOf(k.value.operand, scope);
    if (parent?.kind === 'map') return parent.elem;
    return parent?.field?.(k.value.field);
  }
  if (k.case === 'listExpr') return { kind: 'list', max: k.value.elements.length };
  // map() and filter() results are no longer than their range.
  if (k.case === 'comprehensionExpr' && k.value.iterRange) {
    const r = shapeOf(k.value.iterRange, scope);
    return r ? { kind: 'list', max: r.max } : undefined;
  }
  return undefined;
}
