import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, num } from '../shared/object.js';
import { validateLabelSelector } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { intOrPercentError } from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

function validate(pdb: KubeObject): FieldError[] {
  const errs = validateLabelSelector(get(pdb, 'spec', 'selector'), 'spec.selector');
  const min = get(pdb, 'spec', 'minAvailable');
  const max = get(pdb, 'spec', 'maxUnavailable');
  if (min !== undefined && max !== undefined) errs.push(fieldErrors.invalid('spec', get(pdb, 'spec'), 'minAvailable and maxUnavailable cannot be both set'));
  for (const [key, v] of [['minAvailable', min], ['maxUnavailable', max]] as const) {
    const problem = v === undefined ? undefined : intOrPercentError(v);
    if (problem) errs.push(fieldErrors.invalid(`spec.${key}`, v, problem));
  }
  return errs;
}

export const podDisruptionBudgetStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  onCreate: (pdb) => void (pdb.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }),
  validate,
});

const intOrNA = (key: string) => (pdb: KubeObject) => {
  const v = get(pdb, 'spec', key);
  return v === undefined ? 'N/A' : String(v);
};

export function policyDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('policy', 'v1', 'poddisruptionbudgets'), {
      strategy: podDisruptionBudgetStrategy,
      cells: {
        'Min Available': intOrNA('minAvailable'),
        'Max Unavailable': intOrNA('maxUnavailable'),
        'Allowed Disruptions': (pdb) => num(get(pdb, 'status', 'disruptionsAllowed')),
      },
      subresources: { status: { strategy: subresourceStrategy(podDisruptionBudgetStrategy) } },
    }),
  ];
}
