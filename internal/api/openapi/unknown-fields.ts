import type { Schema } from './schema.js';

/**
 * Paths of fields in `obj` that the schema does not declare, in upstream's strict-decoding form
 * ("spec.foo", "spec.containers[0].bar"). apiVersion, kind and status are always known. Maps,
 * preserve-unknown-fields and int-or-string subtrees accept anything.
 */
export function findUnknownFields(schema: Schema, obj: unknown): string[] {
  const out: string[] = [];
  walk(schema, obj, '', out);
  return out;
}

function walk(schema: Schema, v: unknown, path: string, out: string[]): void {
  if (v === null || typeof v !== 'object' || schema.isIntOrString) return;
  if (Array.isArray(v)) {
    const items = schema.items;
    if (items) v.forEach((x, i) => walk(items, x, `${path}[${i}]`, out));
    return;
  }
  if (schema.acceptsAnyField) {
    // Map values may still have structure (e.g. map of objects).
    for (const [k, x] of Object.entries(v)) {
      const sub = schema.field(k);
      if (sub) walk(sub, x, join(path, k), out);
    }
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const sub = schema.field(k);
    if (!sub) {
      if (path === '' && (k === 'apiVersion' || k === 'kind')) continue;
      out.push(join(path, k));
      continue;
    }
    walk(sub, x, join(path, k), out);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
