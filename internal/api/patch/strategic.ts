import type { Schema } from '../openapi/index.js';
import { clone, deepEqual, isPlainObject } from './merge-patch.js';

/**
 * Strategic merge patch (Kubernetes' patch type for built-in kinds), driven by the schema's
 * x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key:
 * - maps merge recursively; `null` deletes a key;
 * - lists with strategy "merge" and a merge key merge item by item on that key; with strategy
 *   "merge" over scalars they are a union; every other list is replaced;
 * - directives: `$patch: replace|delete|merge` (on maps and as list items), `$retainKeys`,
 *   `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 * Throws StrategicPatchError: kind 'malformed' (400) for directive misuse, 'invalid' (422) for
 * a patch that cannot apply (e.g. a list item without its merge key).
 */
export class StrategicPatchError extends Error {
  constructor(readonly kind: 'malformed' | 'invalid', message: string) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
const PATCH = '$patch';
const RETAIN = '$retainKeys';
const ORDER = '$setElementOrder/';
const DELETE_PRIM = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema | undefined): unknown {
  if (!isPlainObject(patch)) throw new StrategicPatchError('malformed', 'strategic merge patch must be a JSON object');
  const out = mergeMap(isPlainObject(original) ? clone(original) : {}, patch, schema);
  return out === DELETED ? {} : out;
}

const DELETED = Symbol('deleted');

function mergeMap(orig: Obj, patch: Obj, schema: Schema | undefined): Obj | typeof DELETED {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'delete') return DELETED;
    if (directive === 'replace') return stripDirectives(withoutKey(patch, PATCH)) as Obj;
    if (directive !== 'merge') throw new StrategicPatchError('malformed', `Unknown patch type: ${String(directive)}`);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === PATCH || key === RETAIN || key.startsWith(ORDER)) continue;
    if (key.startsWith(DELETE_PRIM)) {
      const field = key.slice(DELETE_PRIM.length);
      if (!Array.isArray(value)) throw new StrategicPatchError('malformed', `invalid value for ${key}: must be a list`);
      const list = own(orig, field);
      if (Array.isArray(list)) setOwn(orig, field, list.filter((x) => !value.some((d) => deepEqual(d, x))));
      continue;
    }
    const sub = schema?.field(key);
    // Own properties only: orig["__proto__"] would read (and then merge into) Object.prototype.
    const current = own(orig, key);
    if (value === null) {
      delete orig[key];
    } else if (isPlainObject(value)) {
      const merged = mergeMap(isPlainObject(current) ? current : {}, value, sub?.mapType === 'atomic' ? undefined : sub);
      if (merged === DELETED) delete orig[key];
      else setOwn(orig, key, sub?.mapType === 'atomic' && value[PATCH] === undefined ? stripDirectives(value) : merged);
    } else if (Array.isArray(value)) {
      setOwn(orig, key, mergeList(Array.isArray(current) ? current : [], value, sub));
    } else {
      setOwn(orig, key, value);
    }
  }
  applyRetainKeys(orig, patch);
  applyElementOrders(orig, patch, schema);
  return orig;
}

function mergeList(orig: unknown[], patch: unknown[], schema: Schema | undefined): unknown[] {
  const strategies = schema?.patchStrategies ?? [];
  if (!strategies.includes('merge')) return stripDirectives(patch.filter((x) => !(isPlainObject(x) && x[PATCH] === 'replace'))) as unknown[];
  if (patch.some((x) => isPlainObject(x) && x[PATCH] === 'replace')) {
    return stripDirectives(patch.filter((x) => !(isPlainObject(x) && x[PATCH] === 'replace'))) as unknown[];
  }
  const key = schema?.patchMergeKey;
  if (!key) {
    // A set of scalars: union, keeping the original order.
    const out = [...orig];
    for (const v of patch) {
      if (isPlainObject(v) || Array.isArray(v)) throw new StrategicPatchError('malformed', 'patch for a list of primitives must contain only primitives');
      if (!out.some((x) => deepEqual(x, v))) out.push(v);
    }
    return out;
  }
  const out = orig.map((x) => clone(x));
  for (const item of patch) {
    if (!isPlainObject(item)) throw new StrategicPatchError('invalid', `patch item of a list merged by "${key}" must be an object`);
    if (!(key in item)) throw new StrategicPatchError('invalid', `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((x) => isPlainObject(x) && deepEqual(x[key], item[key]));
    if (item[PATCH] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as Obj, item, schema?.items);
      if (merged === DELETED) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

/** `$retainKeys: [a, b]`: after merging, only the listed keys (plus directives) stay. */
function applyRetainKeys(orig: Obj, patch: Obj): void {
  const keep = patch[RETAIN];
  if (keep === undefined) return;
  if (!Array.isArray(keep) || keep.some((k) => typeof k !== 'string')) throw new StrategicPatchError('malformed', '$retainKeys must be a list of strings');
  for (const k of Object.keys(orig)) if (!keep.includes(k)) delete orig[k];
}

/** `$setElementOrder/<list>`: the items named come first, in that order; others keep their order after them. */
function applyElementOrders(orig: Obj, patch: Obj, schema: Schema | undefined): void {
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(ORDER)) continue;
    const field = k.slice(ORDER.length);
    if (!Array.isArray(order)) throw new StrategicPatchError('malformed', `invalid value for ${k}: must be a list`);
    const list = orig[field];
    if (!Array.isArray(list)) continue;
    const key = schema?.field(field)?.patchMergeKey;
    const rank = (item: unknown) =>
      order.findIndex((o) => (key && isPlainObject(o) && isPlainObject(item) ? deepEqual(o[key], item[key]) : deepEqual(o, item)));
    const ranked = list.map((item, i) => ({ item, i, r: rank(item) }));
    ranked.sort((a, b) => (a.r < 0 ? Infinity : a.r) - (b.r < 0 ? Infinity : b.r) || a.i - b.i);
    orig[field] = ranked.map((x) => x.item);
  }
}

function withoutKey(o: Obj, key: string): Obj {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

/** Removes directive keys from a subtree being inserted as-is. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === PATCH || k === RETAIN || k.startsWith(ORDER) || k.startsWith(DELETE_PRIM)) continue;
    if (x === null) continue;
    setOwn(out, k, stripDirectives(x));
  }
  return out;
}

/** A key's own value (never an inherited one such as Object.prototype under "__proto__"). */
function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Sets an own property; "__proto__" becomes a plain key, as JSON.parse makes it, not the prototype. */
function setOwn(o: Obj, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
