import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, isObj, objs, str } from '../shared/object.js';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from '../shared/quantity.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const QUANTITY_MAPS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];

/** A map of resource name to quantity; every value must parse. */
export function validateQuantityMap(map: unknown, field: string): FieldError[] {
  if (!isObj(map)) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(map)) {
    if (parseQuantity(v) === undefined) errs.push(fieldErrors.invalid(`${field}[${k}]`, v, QUANTITY_FORMAT_ERROR));
  }
  return errs;
}

function validate(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(get(lr, 'spec', 'limits')).forEach((l, i) => {
    const at = `spec.limits[${i}]`;
    if (!LIMIT_TYPES.includes(str(l.type))) errs.push(fieldErrors.notSupported(`${at}.type`, l.type, LIMIT_TYPES));
    for (const key of QUANTITY_MAPS) errs.push(...validateQuantityMap(l[key], `${at}.${key}`));
  });
  return errs;
}

export const limitRangeStrategy = defineStrategy({
  namespaced: true,
  defaults(lr) {
    // SetDefaults_LimitRangeItem: a Container max implies default limits, and default implies defaultRequest.
    for (const l of objs(get(lr, 'spec', 'limits'))) {
      if (l.type !== 'Container') continue;
      if (isObj(l.max)) l.default = { ...l.max, ...(isObj(l.default) ? l.default : {}) };
      if (isObj(l.default)) l.defaultRequest = { ...l.default, ...(isObj(l.defaultRequest) ? l.defaultRequest : {}) };
    }
  },
  validate,
});

export function limitRangeDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'limitranges'), { strategy: limitRangeStrategy });
}
