import type { Schema } from '../openapi/index.js';
import { jsonEqual } from '../../util/index.js';
import { FieldSet } from './fieldset.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Metadata the server owns; never tracked as anyone's field. */
const SERVER_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

/**
 * The key element of an associative list item: k:{"name":"a"} with key fields sorted; a missing key
 * field takes its schema default (ports: protocol "TCP", as upstream's structured-merge-diff does);
 * i:<n> when a key is still missing.
 */
export function itemKey(item: unknown, keys: string[], index: number, defaults?: Record<string, unknown>): string {
  const keyOf = (k: string) => (isObj(item) ? (item[k] ?? defaults?.[k]) : undefined);
  if (!isObj(item) || keys.length === 0 || keys.some((k) => keyOf(k) === undefined)) return `i:${index}`;
  const picked: Obj = {};
  for (const k of [...keys].sort()) picked[k] = keyOf(k);
  return `k:${JSON.stringify(picked)}`;
}

/**
 * The set of fields an object sets, under the schema's list and map semantics. Every member node
 * also holds the object's value there (FieldSet.value), so comparing two objects field by field
 * needs no second walk.
 */
export function fieldsOf(obj: unknown, schema: Schema | undefined, skip?: SkipTree): FieldSet {
  const root = new FieldSet();
  if (!isObj(obj)) return root;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const s = skip?.get(k);
    if (k === 'apiVersion' || k === 'kind' || v === null || v === undefined || s === true) continue;
    if (k === 'metadata' && isObj(v)) {
      const meta = root.child('f:metadata');
      const metaSchema = schema?.field('metadata');
      for (const mk of Object.keys(v)) {
        const mv = v[mk];
        const ms = s?.get(mk);
        if (SERVER_META.has(mk) || mv === null || mv === undefined || ms === true) continue;
        walk(mv, metaSchema?.field(mk), meta.child(`f:${mk}`), ms);
      }
      continue;
    }
    walk(v, schema?.field(k), root.child(`f:${k}`), s);
  }
  return root;
}

/**
 * Object fields a fieldsOf walk leaves out (true) or descends into with fields of their own left
 * out (a nested tree). Lists are never entered: a list is walked whole or skipped whole.
 */
export type SkipTree = ReadonlyMap<string, SkipTree | true>;

/**
 * The fields equal in two objects (down to `depth` levels of objects), to leave out of both walks
 * when only the paths that changed are wanted. An object whose every field in `next` is equal is
 * not entered (undefined): a map that lost a key must keep its other members in the walk, or it
 * would look like a leaf whose value changed.
 */
export function equalFields(old: Obj, next: Obj, depth: number): SkipTree | undefined {
  return equalBelow(old, next, depth, true, undefined);
}

/** `root`: the object itself, whose metadata's server-owned fields no walk visits (ignored here). */
function equalBelow(old: Obj, next: Obj, depth: number, root: boolean, ignore: ReadonlySet<string> | undefined): SkipTree | undefined {
  const out = new Map<string, SkipTree | true>();
  let walked = false;
  for (const k of Object.keys(next)) {
    if (ignore?.has(k)) continue;
    const a = old[k];
    const b = next[k];
    if (jsonEqual(a, b)) {
      out.set(k, true);
      continue;
    }
    walked = true;
    if (depth > 0 && isObj(a) && isObj(b)) {
      const sub = equalBelow(a, b, depth - 1, false, root && k === 'metadata' ? SERVER_META : undefined);
      if (sub) out.set(k, sub);
    }
  }
  return walked ? out : undefined;
}

function own(node: FieldSet, v: unknown): void {
  node.member = true;
  node.value = v;
}

function walkFields(obj: Obj, schema: Schema | undefined, node: FieldSet, skip?: SkipTree): void {
  for (const k of Object.keys(obj)) {
    const x = obj[k];
    const s = skip?.get(k);
    if (x !== null && x !== undefined && s !== true) walk(x, schema?.field(k), node.child(`f:${k}`), s);
  }
}

function walk(v: unknown, schema: Schema | undefined, node: FieldSet, skip?: SkipTree): void {
  if (isObj(v)) {
    if (schema?.mapType === 'atomic' || schema?.isIntOrString || isEmptyObject(v)) return own(node, v);
    // Maps (additionalProperties) own their node ("."); structs do not.
    if (schema?.acceptsAnyField || !schema) own(node, v);
    return walkFields(v, schema, node, skip);
  }
  if (Array.isArray(v)) {
    const sem = schema?.list ?? ATOMIC;
    if (sem.listType === 'atomic' || v.length === 0) return own(node, v);
    if (sem.listType === 'set') {
      for (const x of v) own(node.child(`v:${JSON.stringify(x)}`), x);
      return;
    }
    const itemSchema = schema?.items;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) continue; // a hole, as forEach skips it
      const item = v[i];
      const c = node.child(itemKey(item, sem.keys, i, sem.keyDefaults));
      own(c, item);
      if (isObj(item)) walkFields(item, itemSchema, c);
    }
    return;
  }
  own(node, v);
}

const ATOMIC = { listType: 'atomic', keys: [] as string[], keyDefaults: undefined } as const;

function isEmptyObject(o: Obj): boolean {
  for (const _ in o) return false;
  return true;
}

/** Finds the list index an element addresses, or -1. */
function indexOf(list: unknown[], el: string, schema: Schema | undefined): number {
  const body = el.slice(2);
  if (el.startsWith('i:')) return Number(body) < list.length ? Number(body) : -1;
  if (el.startsWith('v:')) return list.findIndex((x) => JSON.stringify(x) === body);
  const sem = schema?.list;
  return list.findIndex((x, i) => itemKey(x, sem?.keys ?? [], i, sem?.keyDefaults) === el);
}

/** Removes the field or list item at path from obj (in place). */
export function removeAt(obj: unknown, path: string[], schema: Schema | undefined): void {
  let cur: unknown = obj;
  let s = schema;
  for (let i = 0; i < path.length; i++) {
    const el = path[i]!;
    const last = i === path.length - 1;
    if (el.startsWith('f:')) {
      if (!isObj(cur)) return;
      if (last) delete cur[el.slice(2)];
      else cur = cur[el.slice(2)];
      s = s?.field(el.slice(2));
    } else {
      if (!Array.isArray(cur)) return;
      const idx = indexOf(cur, el, s);
      if (idx < 0) return;
      if (last) cur.splice(idx, 1);
      else cur = cur[idx];
      s = s?.items;
    }
  }
}

/**
 * Merges an applied configuration into the live object: maps recursively, associative lists by
 * key, sets by union, everything else (atomic lists, scalars) replaced. Nulls in the configuration
 * are ignored (an apply names the fields it wants, not the ones it drops).
 */
export function mergeApplied(live: unknown, cfg: unknown, schema: Schema | undefined): unknown {
  if (isObj(cfg)) {
    if (!isObj(live) || schema?.mapType === 'atomic') return dropNulls(cfg);
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(cfg)) {
      if (v === null || v === undefined) continue;
      out[k] = mergeApplied(live[k], v, schema?.field(k));
    }
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live)) {
    const sem = schema?.list ?? { listType: 'atomic', keys: [] };
    if (sem.listType === 'set') return [...live, ...cfg.filter((x) => !live.some((y) => JSON.stringify(y) === JSON.stringify(x)))];
    if (sem.listType === 'map') {
      const out = [...live];
      cfg.forEach((item, i) => {
        const key = itemKey(item, sem.keys, i, sem.keyDefaults);
        const at = out.findIndex((x, j) => itemKey(x, sem.keys, j, sem.keyDefaults) === key);
        if (at >= 0) out[at] = mergeApplied(out[at], item, schema?.items);
        else out.push(dropNulls(item));
      });
      return out;
    }
  }
  return dropNulls(cfg);
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = dropNulls(x);
  return out;
}
