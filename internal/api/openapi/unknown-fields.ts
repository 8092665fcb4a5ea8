import type { Schema } from './schema.js';

/**
 * Paths of fields in `obj` that the schema does not declare, in upstream's strict-decoding form
 * ("spec.foo", "spec.containers[0].bar"). apiVersion, kind and status are always known. Maps,
 * preserve-unknown-fields and int-or-string subtrees accept anything.
 */
export function findUnknownFields(schema: Schema, obj: unknown): string[] {
  const out: string[] = [];
  walk(schema, obj, [], out);
  return out;
}

/** Path elements: a field name, or a list index. The text is only built for an unknown field. */
type Path = Array<string | number>;

function walk(schema: Schema, v: unknown, path: Path, out: string[]): void {
  if (v === null || typeof v !== 'object' || schema.isIntOrString) return;
  if (Array.isArray(v)) {
    const items = schema.items;
    if (!items) return;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v) || !isStructured(v[i])) continue; // holes are skipped; scalars hold no fields
      path.push(i);
      walk(items, v[i], path, out);
      path.pop();
    }
    return;
  }
  const o = v as Record<string, unknown>;
  if (schema.acceptsAnyField) {
    // Map values may still have structure (e.g. map of objects).
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (!isStructured(x)) continue;
      const sub = schema.field(k);
      if (sub) descend(sub, x, path, k, out);
    }
    return;
  }
  for (const k of Object.keys(o)) {
    const sub = schema.field(k);
    if (!sub) {
      const at = render(path);
      if (at === '' && (k === 'apiVersion' || k === 'kind')) continue;
      out.push(join(at, k));
      continue;
    }
    const x = o[k];
    if (isStructured(x)) descend(sub, x, path, k, out);
  }
}

function descend(schema: Schema, v: unknown, path: Path, key: string, out: string[]): void {
  path.push(key);
  walk(schema, v, path, out);
  path.pop();
}

function isStructured(v: unknown): boolean {
  return v !== null && typeof v === 'object';
}

/** "spec.containers[0].ports": names joined by ".", indexes in brackets. */
function render(path: Path): string {
  let s = '';
  for (const el of path) s = typeof el === 'number' ? `${s}[${el}]` : join(s, el);
  return s;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
