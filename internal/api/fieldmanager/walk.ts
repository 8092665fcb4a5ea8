import type { Schema } from '../openapi/index.js';
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

/** Field values by path, as fieldsOf records them on request (key: pathKey(path)). */
export type FieldValues = Map<string, unknown>;

/** The lookup key of a path in FieldValues. */
export function pathKey(path: string[]): string {
  return path.join('\n');
}

/**
 * The set of fields an object sets, under the schema's list and map semantics. With `values`, also
 * records the value at every member path in one pass (instead of a valueAt walk per field).
 */
export function fieldsOf(obj: unknown, schema: Schema | undefined, values?: FieldValues): FieldSet {
  const root = new FieldSet();
  if (!isObj(obj)) return root;
  const w = new Walker(values);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === null || v === undefined) continue;
    if (k === 'metadata' && isObj(v)) {
      const meta = root.child('f:metadata');
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_META.has(mk) || mv === null || mv === undefined) continue;
        w.walk(mv, schema?.field('metadata')?.field(mk), meta.child(`f:${mk}`), `f:metadata\nf:${mk}`);
      }
      continue;
    }
    w.walk(v, schema?.field(k), root.child(`f:${k}`), `f:${k}`);
  }
  return root;
}

class Walker {
  constructor(private readonly values: FieldValues | undefined) {}

  private own(node: FieldSet, key: string, v: unknown): void {
    node.member = true;
    this.values?.set(key, v);
  }

  walk(v: unknown, schema: Schema | undefined, node: FieldSet, key: string): void {
    if (isObj(v)) {
      if (schema?.mapType === 'atomic' || schema?.isIntOrString || Object.keys(v).length === 0) return this.own(node, key, v);
      // Maps (additionalProperties) own their node ("."); structs do not.
      if (schema?.acceptsAnyField || !schema) this.own(node, key, v);
      for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) this.walk(x, schema?.field(k), node.child(`f:${k}`), `${key}\nf:${k}`);
      return;
    }
    if (Array.isArray(v)) {
      const sem = schema?.list ?? { listType: 'atomic', keys: [] };
      if (sem.listType === 'atomic' || v.length === 0) return this.own(node, key, v);
      if (sem.listType === 'set') {
        for (const x of v) {
          const el = `v:${JSON.stringify(x)}`;
          this.own(node.child(el), `${key}\n${el}`, x);
        }
        return;
      }
      v.forEach((item, i) => {
        const el = itemKey(item, sem.keys, i, sem.keyDefaults);
        const c = node.child(el);
        const ckey = `${key}\n${el}`;
        this.own(c, ckey, item);
        if (isObj(item)) for (const [k, x] of Object.entries(item)) if (x !== null && x !== undefined) this.walk(x, schema?.items?.field(k), c.child(`f:${k}`), `${ckey}\nf:${k}`);
      });
      return;
    }
    this.own(node, key, v);
  }
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
