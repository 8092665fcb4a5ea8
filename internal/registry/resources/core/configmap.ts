import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { isObj, str } from '../shared/object.js';
import { immutable } from '../shared/meta.js';
import { defineStrategy } from '../shared/strategy.js';
import { isConfigMapKey } from '../shared/validation.js';
import { upstream } from '../upstream/index.js';

/** Upstream MaxSecretSize, also the ConfigMap limit. */
export const MAX_DATA_SIZE = 1024 * 1024;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(v: unknown): boolean {
  return typeof v === 'string' && BASE64_RE.test(v);
}

/** Keys of data-like maps must be config keys; base64 maps must hold base64 strings. */
export function validateDataMap(map: unknown, field: string, base64: boolean, seen: Set<string>): { errs: FieldError[]; size: number } {
  const errs: FieldError[] = [];
  let size = 0;
  if (!isObj(map)) return { errs, size };
  for (const [k, v] of Object.entries(map)) {
    for (const m of isConfigMapKey(k)) errs.push(fieldErrors.invalid(field, k, m));
    if (seen.has(k)) errs.push(fieldErrors.invalid(field, k, 'duplicate of key present in data'));
    seen.add(k);
    if (base64 && !isBase64(v)) errs.push(fieldErrors.invalid(`${field}[${k}]`, '<value omitted>', 'illegal base64 data'));
    size += base64 ? Math.floor((str(v).length * 3) / 4) : Buffer.byteLength(str(v));
  }
  return { errs, size };
}

/** `immutable: true` freezes data and binaryData, and cannot be unset (ConfigMaps and Secrets). */
export function validateImmutableData(obj: KubeObject, old: KubeObject, keys: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldErrors.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const k of keys) {
    if (immutable(k, obj[k], old[k]).length > 0) errs.push(fieldErrors.forbidden(k, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configMapStrategy = defineStrategy({
  namespaced: true,
  validate(cm) {
    const seen = new Set<string>();
    const data = validateDataMap(cm.data, 'data', false, seen);
    const binary = validateDataMap(cm.binaryData, 'binaryData', true, seen);
    const errs = [...data.errs, ...binary.errs];
    if (data.size + binary.size > MAX_DATA_SIZE) errs.push(fieldErrors.tooLong('', MAX_DATA_SIZE));
    return errs;
  },
  validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
});

export function configMapDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'configmaps'), {
    strategy: configMapStrategy,
    cells: {
      Data: (cm) => Object.keys(isObj(cm.data) ? cm.data : {}).length + Object.keys(isObj(cm.binaryData) ? cm.binaryData : {}).length,
    },
  });
}
