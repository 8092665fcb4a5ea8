import { children, type Node } from './ast.js';
import { errorAt } from './compile.js';
import { celModule } from './engine.js';

/** What the field check needs of a schema (internal/api's Schema has this shape). */
export interface FieldSchema {
  field(name: string): FieldSchema | undefined;
  readonly items: FieldSchema | undefined;
  /** A map (additionalProperties) or x-kubernetes-preserve-unknown-fields: any key may be read. */
  readonly acceptsAnyField: boolean;
  readonly isIntOrString: boolean;
}

/**
 * Field references through variables of known schema that the schema does not declare, each as
 * cel-go's type checker reports it (`ERROR: <input>:l:c: undefined field 'x'` with the source line
 * and a caret under the select). Only plain field selects and list indexes are followed; a map,
 * preserved unknown fields, int-or-string or any computed value ends the check of that path.
 * Expressions that do not parse give nothing here (compile reports them).
 */
export function undefinedFields(source: string, roots: Record<string, FieldSchema | undefined>): string[] {
  let parsed: ReturnType<ReturnType<typeof celModule>['cel']['parse']>;
  try {
    parsed = celModule().cel.parse(source);
  } catch {
    return [];
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const out: string[] = [];
  const visit = (e: Node): FieldSchema | undefined => {
    const k = e.exprKind;
    if (k.case === 'identExpr') return Object.hasOwn(roots, k.value.name) ? roots[k.value.name] : undefined;
    if (k.case === 'selectExpr') {
      const base = k.value.operand ? visit(k.value.operand) : undefined;
      if (!base || base.acceptsAnyField || base.isIntOrString) return undefined;
      const sub = base.field(k.value.field);
      if (!sub) out.push(errorAt(source, positions[String(e.id)] ?? 0, `undefined field '${k.value.field}'`));
      return sub;
    }
    if (k.case === 'callExpr' && k.value.function === '_[_]' && k.value.args.length === 2) {
      const base = visit(k.value.args[0]!);
      visit(k.value.args[1]!);
      return base?.items;
    }
    // A comprehension's variables may shadow a root: its body is not followed through roots then.
    if (k.case === 'comprehensionExpr' && (Object.hasOwn(roots, k.value.iterVar) || Object.hasOwn(roots, k.value.accuVar))) {
      if (k.value.iterRange) visit(k.value.iterRange);
      return undefined;
    }
    for (const c of children(e)) visit(c);
    return undefined;
  };
  if (parsed.expr) visit(parsed.expr);
  return out;
}
