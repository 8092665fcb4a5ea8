import { type FieldError, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { validateNonNegative } from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

export const leaseStrategy = defineStrategy({
  namespaced: true,
  validate(lease) {
    const errs: FieldError[] = [];
    const duration = get(lease, 'spec', 'leaseDurationSeconds');
    if (duration !== undefined && !(typeof duration === 'number' && duration > 0)) {
      errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
    }
    errs.push(...validateNonNegative(get(lease, 'spec', 'leaseTransitions'), 'spec.leaseTransitions'));
    return errs;
  },
});

export function coordinationDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('coordination.k8s.io', 'v1', 'leases'), {
      strategy: leaseStrategy,
      cells: { Holder: (lease) => str(get(lease, 'spec', 'holderIdentity')) },
    }),
  ];
}
