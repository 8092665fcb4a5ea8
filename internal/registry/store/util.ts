import { apiVersionOf, type KubeObject } from '../../api/index.js';
import { jsonClone } from '../../util/index.js';
import type { ResourceDefinition } from '../definition.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of a JSON value, exactly as a JSON text round trip would make it; objects from the
 * ObjectStore may be shared (watch cache) and are never mutated.
 */
export function clone<T>(v: T): T {
  return jsonClone(v);
}

/** Structural equality of JSON values; a key holding undefined counts as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  return isObject(a) && isObject(b) && sameFields(a, b, undefined);
}

/** deepEqual of two objects, ignoring the key `skip` (when given) on both. */
export function sameFields(a: Record<string, unknown>, b: Record<string, unknown>, skip: string | undefined): boolean {
  let na = 0;
  for (const k of Object.keys(a)) {
    if (k === skip || a[k] === undefined) continue;
    na++;
    if (!deepEqual(a[k], b[k])) return false;
  }
  let nb = 0;
  for (const k of Object.keys(b)) if (k !== skip && b[k] !== undefined) nb++;
  return na === nb;
}

let lastSecond = NaN;
let lastText = '';

/** RFC 3339 in UTC with whole seconds, as Kubernetes writes metav1.Time. */
export function rfc3339(ms: number): string {
  // Every write stamps a time or two and they mostly fall in the same second: format it once.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** The stored object as this definition serves it: converted, with its apiVersion and kind. */
export function present(def: ResourceDefinition, stored: KubeObject): KubeObject {
  const obj = def.convert ? def.convert.fromStored(stored) : stored;
  return { ...obj, apiVersion: apiVersionOf(def), kind: def.kind };
}

/** The object as it is stored (shared storage converts, e.g. events.k8s.io → core Event). */
export function toStored(def: ResourceDefinition, obj: KubeObject): KubeObject {
  return def.convert ? def.convert.toStored(obj) : obj;
}

/** Everything except apiVersion, kind, metadata and status: a change here bumps generation. */
export function specPart(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

export function tracksGeneration(def: ResourceDefinition, obj: KubeObject): boolean {
  return def.trackGeneration ?? (def.custom === true || obj.spec !== undefined);
}
