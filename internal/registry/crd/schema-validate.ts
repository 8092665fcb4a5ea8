import { fieldErrors, type FieldError } from '../../api/index.js';
import { clone, isObject } from '../store/util.js';
import type { Schema } from './prune.js';

/** The JSON type name of a value as the OpenAPI validator reports it. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const typeError = (path: string, v: unknown, want: string): FieldError => ({
  type: 'FieldValueTypeInvalid',
  field: path,
  value: typeName(v),
  detail: `${path} in body must be of type ${want}: "${typeName(v)}"`,
});

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Validates a custom resource against its CRD's structural schema (after pruning and defaulting),
 * with the apiextensions validator's messages: type, nullable, required, enum, minimum/maximum,
 * lengths, item and property counts, pattern, int-or-string, additionalProperties maps, and
 * allOf/anyOf/oneOf/not over the same value. apiVersion, kind and metadata are checked elsewhere.
 */
export function validateBySchema(value: unknown, schema: Schema | undefined, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  if (!schema) return errs;
  if (value === null) {
    if (!schema.nullable && schema.type && !schema['x-kubernetes-int-or-string']) errs.push(typeError(path, value, schema.type));
    return errs;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) errs.push(typeError(path, value, 'integer-or-string'));
  } else if (schema.type && !typeMatches(schema.type, value)) {
    errs.push(typeError(path, value, schema.type));
    return errs;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push(fieldErrors.notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'number') errs.push(...numberErrors(value, schema, path));
  if (typeof value === 'string') errs.push(...stringErrors(value, schema, path));
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errs.push(fieldErrors.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errs.push({ type: 'FieldValueTooMany', field: path, detail: `must have at most ${schema.maxItems} items` });
    value.forEach((item, i) => errs.push(...validateBySchema(item, schema.items, `${path}[${i}]`)));
  }
  if (isObject(value)) errs.push(...objectErrors(value, schema, path));
  for (const sub of schema.allOf ?? []) errs.push(...validateBySchema(value, sub, path));
  if (schema.anyOf && !schema.anyOf.some((s) => validateBySchema(value, s, path).length === 0)) {
    errs.push(fieldErrors.invalid(path, value, `${path} in body must match at least one schema in anyOf`));
  }
  if (schema.oneOf && schema.oneOf.filter((s) => validateBySchema(value, s, path).length === 0).length !== 1) {
    errs.push(fieldErrors.invalid(path, value, `${path} in body must match exactly one schema in oneOf`));
  }
  if (schema.not && validateBySchema(value, schema.not, path).length === 0) errs.push(fieldErrors.invalid(path, value, `${path} in body should not match the schema`));
  return errs;
}

function numberErrors(v: number, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  return errs;
}

function stringErrors(v: string, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const len = [...v].length;
  if (s.minLength !== undefined && len < s.minLength) errs.push(fieldErrors.invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.maxLength !== undefined && len > s.maxLength) errs.push({ type: 'FieldValueTooLong', field: path, detail: `may not be longer than ${s.maxLength}` });
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(v)) errs.push(fieldErrors.invalid(path, v, `${path} in body should match '${s.pattern}'`));
  }
  return errs;
}

function objectErrors(v: Record<string, unknown>, s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const req of s.required ?? []) if (v[req] === undefined) errs.push(fieldErrors.required(join(path, req)));
  const count = Object.keys(v).length;
  if (s.minProperties !== undefined && count < s.minProperties) errs.push(fieldErrors.invalid(path, count, `${path} in body should have at least ${s.minProperties} properties`));
  if (s.maxProperties !== undefined && count > s.maxProperties) errs.push({ type: 'FieldValueTooMany', field: path, detail: `must have at most ${s.maxProperties} items` });
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const embedded = s['x-kubernetes-embedded-resource'] === true || path === '';
  for (const [k, x] of Object.entries(v)) {
    if (embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    const child = s.properties?.[k] ?? additional;
    if (child) errs.push(...validateBySchema(x, child, join(path, k)));
  }
  return errs;
}

/**
 * Fills `default` values of the structural schema into absent fields, as the apiextensions
 * server does on read and write. Mutates value; objects are only entered where they exist.
 */
export function applyDefaults(value: unknown, schema: Schema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, child] of Object.entries(schema.properties ?? {})) {
    if (value[k] === undefined && child.default !== undefined) value[k] = clone(child.default);
    if (value[k] !== undefined) applyDefaults(value[k], child);
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (additional) for (const [k, x] of Object.entries(value)) if (!schema.properties?.[k]) applyDefaults(x, additional);
}
