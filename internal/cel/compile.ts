import type { CelEnv, CelValue } from '@bufbuild/cel';
import { callNode, children, intNode, maxId, nodeCount, type Node } from './ast.js';
import { estimateCost, type Shape } from './cost.js';
import { AUTHZ_FUNCTIONS, authorizerLibrary } from './authz.js';
import { celModule } from './engine.js';
import { NET_FUNCTIONS, netLibrary } from './netlib.js';
import { QUANTITY_FUNCTIONS, quantityLibrary } from './quantity.js';
import { COST_EXCEEDED, COST_RANGE, kubernetesLibrary, metered, type Meter } from './library.js';

/** A compiled expression: evaluate it as often as needed against different variable values. */
export interface Program {
  source: string;
  /** The variables it reads (e.g. a rule that reads oldSelf is a transition rule). */
  uses: ReadonlySet<string>;
  /** Static worst-case cost for the given variable shapes (see estimateCost). */
  estimate(shapes: Record<string, Shape | undefined>): number;
  /** Evaluates, charging `meter`; an error is CEL's message (e.g. "no such key: x"). */
  eval(vars: Record<string, CelValue>, meter: Meter): { value: CelValue } | { error: string };
}

export type CompileResult = { program: Program } | { error: string };

/** Type names CEL lets an expression name as identifiers (`type(x) == int`). */
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

/** Functions and operators of CEL's standard library and of kubernetesLibrary(). */
const FUNCTIONS = new Set([
  ...['_&&_', '_||_', '_?_:_', '_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_+_', '_-_', '_*_', '_/_', '_%_', '!_', '-_', '_[_]', '@in', '@not_strictly_false', 'in'],
  ...['size', 'matches', 'contains', 'startsWith', 'endsWith', 'int', 'uint', 'double', 'string', 'bytes', 'bool', 'type', 'dyn', 'duration', 'timestamp'],
  ...['getFullYear', 'getMonth', 'getDayOfYear', 'getDayOfMonth', 'getDate', 'getDayOfWeek', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'],
  ...['charAt', 'indexOf', 'lastIndexOf', 'lowerAscii', 'upperAscii', 'replace', 'split', 'substring', 'trim', 'join', 'format', 'strings.quote'],
  ...['isSorted', 'sum', 'min', 'max'],
  ...NET_FUNCTIONS,
  ...QUANTITY_FUNCTIONS,
]);

let env: CelEnv | undefined;

function celEnvironment(): CelEnv {
  return (env ??= celModule().cel.celEnv({ funcs: [...kubernetesLibrary(), ...authorizerLibrary(), ...netLibrary(), ...quantityLibrary()] }));
}

/**
 * Parses and checks an expression over the given variables: syntax, undeclared identifiers and
 * unknown functions are compile errors, reported as cel-go does (`ERROR: <input>:1:5: ...` with the
 * source line and a caret). Every comprehension's range is wrapped so the evaluator charges its
 * size times the loop body's node count before the loop runs.
 */
export function compile(source: string, variables: readonly string[]): CompileResult {
  const { cel } = celModule();
  let parsed: ReturnType<typeof cel.parse>;
  try {
    parsed = cel.parse(source);
  } catch (err) {
    const e = err as { location?: { start?: { offset?: number } }; rawMessage?: string; message: string };
    const offset = e.location?.start?.offset ?? 0;
    return { error: errorAt(source, offset, `Syntax error: ${e.rawMessage ?? e.message.replace(/^<input>:\d+:\d+: /, '')}`) };
  }
  const root = parsed.expr!;
  const positions = parsed.sourceInfo?.positions ?? {};
  const uses = new Set<string>();
  const functions = variables.includes('authorizer') ? new Set([...FUNCTIONS, ...AUTHZ_FUNCTIONS]) : FUNCTIONS;
  const problem = check(root, new Set(variables), uses, functions);
  if (problem) return { error: errorAt(source, positions[String(problem.node.id)] ?? 0, problem.message) };
  const baseCost = nodeCount(root);
  let next = maxId(root) + 1n;
  const wrapped = instrument(root, () => next++);
  const run = cel.plan(celEnvironment(), { ...parsed, expr: wrapped });
  return {
    program: {
      source,
      uses,
      estimate: (shapes) => estimateCost(root, shapes),
      eval(vars, meter) {
        meter.used += baseCost;
        const value = meter.used > meter.limit ? undefined : metered(meter, () => run(vars));
        if (meter.used > meter.limit || value === undefined) return { error: COST_EXCEEDED };
        if (cel.isCelError(value)) return { error: celMessage(value.message) };
        return { value };
      },
    },
  };
}

/** bufbuild's wording → cel-go's, where users see it. */
function celMessage(m: string): string {
  return m.replace(/^field not found: /, 'no such key: ');
}

function check(e: Node, scope: Set<string>, uses: Set<string>, functions: ReadonlySet<string>): { node: Node; message: string } | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') {
    if (scope.has(k.value.name)) uses.add(k.value.name);
    else if (!TYPE_IDENTS.has(k.value.name)) return { node: e, message: `undeclared reference to '${k.value.name}' (in container '')` };
    return undefined;
  }
  if (k.case === 'callExpr' && !functions.has(k.value.function)) {
    return { node: e, message: `undeclared reference to '${k.value.function}' (in container '')` };
  }
  if (k.case === 'comprehensionExpr') {
    const c = k.value;
    const inner = new Set([...scope, c.iterVar, c.accuVar]);
    for (const [x, s] of [[c.iterRange, scope], [c.accuInit, scope], [c.loopCondition, inner], [c.loopStep, inner], [c.result, inner]] as const) {
      const p = x && check(x, s, uses, functions);
      if (p) return p;
    }
    return undefined;
  }
  for (const c of children(e)) {
    const p = check(c, scope, uses, functions);
    if (p) return p;
  }
  return undefined;
}

/** A copy of the tree with every comprehension's range wrapped in the cost hook. */
function instrument(e: Node, id: () => bigint): Node {
  const k = e.exprKind;
  const copy = (x: Node | undefined) => (x ? instrument(x, id) : x);
  switch (k.case) {
    case 'selectExpr':
      return { ...e, exprKind: { case: k.case, value: { ...k.value, operand: copy(k.value.operand) } } };
    case 'callExpr':
      return { ...e, exprKind: { case: k.case, value: { ...k.value, target: copy(k.value.target), args: k.value.args.map((a) => instrument(a, id)) } } };
    case 'listExpr':
      return { ...e, exprKind: { case: k.case, value: { ...k.value, elements: k.value.elements.map((a) => instrument(a, id)) } } };
    case 'structExpr':
      return {
        ...e,
        exprKind: {
          case: k.case,
          value: { ...k.value, entries: k.value.entries.map((en) => ({ ...en, value: copy(en.value), keyKind: en.keyKind.case === 'mapKey' ? { case: 'mapKey' as const, value: instrument(en.keyKind.value, id) } : en.keyKind })) },
        },
      };
    case 'comprehensionExpr': {
      const c = k.value;
      const weight = BigInt(nodeCount(c.loopCondition) + nodeCount(c.loopStep) + 1);
      const range = c.iterRange ? callNode(id(), COST_RANGE, [instrument(c.iterRange, id), intNode(id(), weight)]) : undefined;
      return {
        ...e,
        exprKind: { case: k.case, value: { ...c, iterRange: range, accuInit: copy(c.accuInit), loopCondition: copy(c.loopCondition), loopStep: copy(c.loopStep), result: copy(c.result) } },
      };
    }
    default:
      return e;
  }
}

/** cel-go's error layout: `ERROR: <input>:line:col: message`, the source line, a caret under col. */
export function errorAt(source: string, offset: number, message: string): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1);
  const text = source.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col + 1}: ${message}\n | ${text}\n | ${'.'.repeat(col)}^`;
}
