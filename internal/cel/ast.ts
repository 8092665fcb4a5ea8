import type { Cel } from './engine.js';

/** A parsed CEL expression node (a protobuf message of cel.expr.Expr, as a plain object). */
export type Node = NonNullable<ReturnType<Cel['parse']>['expr']>;

/** The children of a node, for walks that do not care about the kind. */
export function children(e: Node): Node[] {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return k.value.operand ? [k.value.operand] : [];
    case 'callExpr':
      return [...(k.value.target ? [k.value.target] : []), ...k.value.args];
    case 'listExpr':
      return k.value.elements;
    case 'structExpr':
      return k.value.entries.flatMap((en) => [...(en.keyKind.case === 'mapKey' ? [en.keyKind.value] : []), ...(en.value ? [en.value] : [])]);
    case 'comprehensionExpr': {
      const c = k.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((x): x is Node => !!x);
    }
    default:
      return [];
  }
}

/** Number of nodes in a tree (the per-iteration weight of a loop body). */
export function nodeCount(e: Node | undefined): number {
  if (!e) return 0;
  return 1 + children(e).reduce((n, c) => n + nodeCount(c), 0);
}

/** The largest node id, so that nodes the compiler adds get ids of their own. */
export function maxId(e: Node): bigint {
  return children(e).reduce((m, c) => {
    const x = maxId(c);
    return x > m ? x : m;
  }, e.id);
}

/** A call node `fn(args...)` (no target) with the given id. */
export function callNode(id: bigint, fn: string, args: Node[]): Node {
  return {
    $typeName: 'cel.expr.Expr',
    id,
    exprKind: { case: 'callExpr', value: { $typeName: 'cel.expr.Expr.Call', function: fn, args } },
  } as Node;
}

/** An int literal node. */
export function intNode(id: bigint, v: bigint): Node {
  return {
    $typeName: 'cel.expr.Expr',
    id,
    exprKind: { case: 'constExpr', value: { $typeName: 'cel.expr.Constant', constantKind: { case: 'int64Value', value: v } } },
  } as Node;
}
