import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, get, num, setDefault } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { selectorString } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import {
  REPLICAS_SCALE, templateCells, zeroStatusCounters, validateNonNegative, validateRestartAlways, validateSelectorAndTemplate, validateSelectorUnchanged,
} from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

export const replicaSetStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults(rs) {
    setDefault(child(rs, 'spec'), 'replicas', 1);
    defaultPodTemplateAt(rs, 'spec', 'template');
    zeroStatusCounters(rs, ['replicas']);
  },
  validate: (rs) => [
    ...validateNonNegative(get(rs, 'spec', 'replicas'), 'spec.replicas'),
    ...validateNonNegative(get(rs, 'spec', 'minReadySeconds'), 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(rs),
    ...validateRestartAlways(rs),
  ],
  validateUpdate: (rs, old) => validateSelectorUnchanged(rs, old),
  selectableFields: (rs) => ({ 'status.replicas': String(num(get(rs, 'status', 'replicas'))) }),
});

export function replicaSetDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('apps', 'v1', 'replicasets'), {
    strategy: replicaSetStrategy,
    cells: {
      Desired: (rs) => num(get(rs, 'spec', 'replicas')),
      Current: (rs) => num(get(rs, 'status', 'replicas')),
      Ready: (rs) => num(get(rs, 'status', 'readyReplicas')),
      ...templateCells,
      Selector: (rs) => selectorString(get(rs, 'spec', 'selector')),
    },
    subresources: {
      status: {
        strategy: subresourceStrategy(replicaSetStrategy, {
          validate: (rs) => validateNonNegative(get(rs, 'status', 'replicas'), 'status.replicas'),
        }),
      },
      scale: { scale: REPLICAS_SCALE },
    },
  });
}
