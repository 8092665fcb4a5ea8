import type { Schema } from './schema.js';

/**
 * The first value whose JSON type the schema does not allow, as Go's JSON decoder reports it when
 * the apiserver decodes a built-in object (so a ConfigMap with `data: {a: 1}` is refused instead
 * of being stored and breaking typed clients later). Only clear mismatches count: untyped schemas
 * (Quantity, IntOrString, JSON, RawExtension), preserve-unknown-fields and nulls accept anything.
 */
export interface TypeMismatch {
  /** JSON field names from the root joined by "." (no list indexes), as Go prints them. */
  field: string;
  /** The innermost struct holding the field ("Container"; the kind at the top level). */
  struct: string;
  /** What was sent: "number", "number 1.5", "string", "bool", "array", "object". */
  value: string;
  /** The Go type expected: "string", "int32", "[]v1.Container", "map[string]string"… */
  goType: string;
}

export function findTypeMismatch(schema: Schema, obj: unknown, rootStruct: string): TypeMismatch | undefined {
  if (!isObj(obj)) return undefined;
  const at: Where = { path: [], structs: [], root: rootStruct };
  for (const k of Object.keys(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    const sub = schema.field(k);
    if (!sub) continue;
    at.path.push(k);
    const m = check(sub, obj[k], at);
    if (m) return m;
    at.path.pop();
  }
  return undefined;
}

/**
 * Where the check is: field names from the root and the struct schemas entered. The names a
 * mismatch reports are only built when one is found (checks run on every write, mismatches are rare).
 */
interface Where {
  path: string[];
  structs: Schema[];
  root: string;
}

/** Go's text: `json: cannot unmarshal number into Go struct field ConfigMap.data of type string`. */
export function typeMismatchMessage(m: TypeMismatch): string {
  return `json: cannot unmarshal ${m.value} into Go struct field ${m.struct}.${m.field} of type ${m.goType}`;
}

function check(schema: Schema, v: unknown, at: Where): TypeMismatch | undefined {
  if (v === null || v === undefined || schema.isIntOrString || (schema.acceptsAnyField && !schema.isMap)) return undefined;
  switch (schema.type) {
    case 'string':
      return typeof v === 'string' ? undefined : miss(schema, v, at);
    case 'boolean':
      return typeof v === 'boolean' ? undefined : miss(schema, v, at);
    case 'number':
      return typeof v === 'number' ? undefined : miss(schema, v, at);
    case 'integer':
      if (typeof v !== 'number') return miss(schema, v, at);
      return Number.isInteger(v) ? undefined : { ...miss(schema, v, at), value: `number ${v}` };
    case 'array': {
      if (!Array.isArray(v)) return miss(schema, v, at);
      const items = schema.items;
      if (!items) return undefined;
      for (const x of v) {
        const m = check(items, x, at);
        if (m) return m;
      }
      return undefined;
    }
    case 'object': {
      if (!isObj(v)) return miss(schema, v, at);
      if (schema.isMap) {
        const values = schema.field('');
        if (!values) return undefined;
        for (const k of Object.keys(v)) {
          const m = check(values, v[k], at);
          if (m) return m;
        }
        return undefined;
      }
      at.structs.push(schema);
      for (const k of Object.keys(v)) {
        const sub = schema.field(k);
        if (!sub) continue;
        at.path.push(k);
        const m = check(sub, v[k], at);
        if (m) return m;
        at.path.pop();
      }
      at.structs.pop();
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The mismatch at `at`: the field path joined by ".", in the innermost named struct (else the root). */
function miss(schema: Schema, v: unknown, at: Where): TypeMismatch {
  let struct = at.root;
  for (let i = at.structs.length - 1; i >= 0; i--) {
    const name = shortName(at.structs[i]!.refName);
    if (name) {
      struct = name;
      break;
    }
  }
  return { field: at.path.join('.'), struct, value: jsonKind(v), goType: goType(schema) };
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

function goType(schema: Schema): string {
  const named = schema.refName;
  if (named) return qualified(named);
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'array':
      return `[]${schema.items ? goType(schema.items) : 'interface {}'}`;
    case 'object': {
      const values = schema.isMap ? schema.field('') : undefined;
      return `map[string]${values ? goType(values) : 'interface {}'}`;
    }
    default:
      return 'interface {}';
  }
}

/** "io.k8s.api.core.v1.Container" → "v1.Container", as Go prints a package-qualified type. */
function qualified(ref: string): string {
  const parts = ref.split('.');
  return parts.slice(-2).join('.');
}

function shortName(ref: string | undefined): string | undefined {
  return ref ? ref.slice(ref.lastIndexOf('.') + 1) : undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
