import type { KubeObject } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, isObj, str } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';
import { validateQuantityMap } from './limitrange.js';

export const resourceQuotaStrategy = defineStrategy({
  namespaced: true,
  status: true,
  validate: (rq) => validateQuantityMap(get(rq, 'spec', 'hard'), 'spec.hard'),
});

/** "cpu: 100m/1, pods: 2/10" split into requests and limits.* columns, as the quota printer does. */
function usage(rq: KubeObject, limits: boolean): string {
  const hard = get(rq, 'status', 'hard');
  const used = get(rq, 'status', 'used');
  if (!isObj(hard)) return '';
  return Object.keys(hard)
    .sort()
    .filter((k) => k.startsWith('limits.') === limits)
    .map((k) => `${k}: ${str(isObj(used) ? used[k] : undefined) || '0'}/${str(hard[k])}`)
    .join(', ');
}

export function resourceQuotaDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'resourcequotas'), {
    strategy: resourceQuotaStrategy,
    cells: { Request: (rq) => usage(rq, false), Limit: (rq) => usage(rq, true) },
    subresources: {
      status: { strategy: subresourceStrategy(resourceQuotaStrategy, { validate: (rq) => validateQuantityMap(get(rq, 'status', 'hard'), 'status.hard') }) },
    },
  });
}
