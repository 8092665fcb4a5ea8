import { compile, type NumberHint, type Program, type Shape } from '../../cel/index.js';
import type { Schema, ValidationRule } from './prune.js';

/** One x-kubernetes-validations rule, compiled once per schema node. */
export interface CompiledRule {
  rule: ValidationRule;
  program?: Program;
  /** cel-go style compile error of the rule. */
  error?: string;
  message?: Program;
  messageError?: string;
  /** The rule's fieldPath as a field path relative to the node ("spec.x", "m[k]"), when valid. */
  fieldPath?: string;
  fieldPathError?: string;
}

const VARS = ['self', 'oldSelf'];
const cache = new WeakMap<Schema, CompiledRule[]>();

/** The compiled rules of a schema node (cached with the node: a CRD update brings new nodes). */
export function compiledRules(s: Schema): CompiledRule[] {
  let rules = cache.get(s);
  if (!rules) {
    rules = (s['x-kubernetes-validations'] ?? []).map((r) => compileRule(r ?? { rule: '' }, s));
    cache.set(s, rules);
  }
  return rules;
}

function compileRule(rule: ValidationRule, s: Schema): CompiledRule {
  const out: CompiledRule = { rule };
  if (!rule.rule?.trim()) return out;
  const r = compile(rule.rule, VARS);
  if ('error' in r) out.error = `compilation failed: ${r.error}`;
  else out.program = r.program;
  if (rule.messageExpression?.trim()) {
    const m = compile(rule.messageExpression, VARS);
    if ('error' in m) out.messageError = `messageExpression compilation failed: ${m.error}`;
    else out.message = m.program;
  }
  if (rule.fieldPath) {
    const p = normalizeFieldPath(rule.fieldPath, s);
    if (typeof p === 'string') out.fieldPath = p;
    else out.fieldPathError = p.error;
  }
  return out;
}

/**
 * A rule's fieldPath (`.spec.replicas`, `.labels['a.b']`) checked against the schema and rendered
 * as a field path: named fields join with ".", map keys go in brackets.
 */
export function normalizeFieldPath(path: string, s: Schema): string | { error: string } {
  const tokens = path.match(/\.[^.[\]]+|\['(?:[^'\\]|\\.)*'\]|./g) ?? [];
  let node: Schema | undefined = s;
  let out = '';
  for (const t of tokens) {
    let name: string;
    if (t.startsWith('.')) name = t.slice(1);
    else if (t.startsWith("['")) name = t.slice(2, -2).replace(/\\(.)/g, '$1');
    else return { error: `expected [ or . but got: ${t}` };
    if (node?.properties) {
      node = node.properties[name];
      if (!node) return { error: 'does not refer to a valid field' };
      out = out ? `${out}.${name}` : name;
    } else if (node && typeof node.additionalProperties === 'object') {
      node = node.additionalProperties;
      out = `${out}[${name}]`;
    } else return { error: 'does not refer to a valid field' };
  }
  return out;
}

function additional(s: Schema): Schema | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** What the static cost estimate knows of a value under this schema. */
export function shapeOfSchema(s: Schema | undefined, root = false): Shape | undefined {
  if (!s) return undefined;
  if (s.type === 'array') return { kind: 'list', max: s.maxItems, elem: shapeOfSchema(s.items) };
  if (s.type === 'string') return { kind: 'string', max: s.maxLength };
  if (s.type === 'object') {
    const extra = additional(s);
    if (extra && !s.properties) return { kind: 'map', max: s.maxProperties, elem: shapeOfSchema(extra) };
    return {
      kind: 'object',
      field: (n) => {
        if (root && n === 'metadata') return { kind: 'object', field: () => ({ kind: 'string', max: 253 }) };
        if (root && (n === 'apiVersion' || n === 'kind')) return { kind: 'string', max: 317 };
        return shapeOfSchema(s.properties?.[n]);
      },
    };
  }
  if (s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields']) return undefined;
  return { kind: 'scalar' };
}

/** How JSON numbers under this schema become CEL ints or doubles. */
export function numberHint(s: Schema | undefined): NumberHint | undefined {
  if (!s) return undefined;
  return {
    number: s.type === 'integer' ? 'int' : s.type === 'number' ? 'double' : undefined,
    child: (k) => numberHint(typeof k === 'number' ? s.items : (s.properties?.[k] ?? additional(s))),
  };
}

/** Bytes of the smallest JSON value of this schema (upstream's MinSerializedSize). */
export function minSize(s: Schema): number {
  switch (s.type) {
    case 'boolean':
      return 4;
    case 'integer':
    case 'number':
      return 1;
    default:
      return 2;
  }
}
