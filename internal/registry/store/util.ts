import { apiVersionOf, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of a JSON value, exactly as a JSON text round trip would make it; objects from the
 * ObjectStore may be shared (watch cache) and are never mutated.
 */
export { jsonClone as clone, jsonEqual as deepEqual, sameFields } from '../../util/index.js';

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
