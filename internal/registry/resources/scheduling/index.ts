import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { setDefault, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

/** User priority classes stay at or below one billion; the two system ones sit above. */
const HIGHEST_USER_PRIORITY = 1_000_000_000;
/** Upstream's two system PriorityClasses: the API server creates them at start; admission knows them even before. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, { value: number; description: string }> = {
  'system-node-critical': { value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  'system-cluster-critical': { value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
};
const PREEMPTION = ['Never', 'PreemptLowerPriority'];

function validate(pc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  const value = pc.value;
  if (typeof value !== 'number' || !Number.isInteger(value)) errs.push(fieldErrors.required('value', ''));
  else if (Object.hasOwn(SYSTEM_PRIORITY_CLASSES, name)) {
    const want = SYSTEM_PRIORITY_CLASSES[name]!.value;
    if (value !== want) errs.push(fieldErrors.invalid('value', value, `value of system priority class ${name} must be ${want}`));
  } else if (name.startsWith('system-')) {
    errs.push(fieldErrors.forbidden('metadata.name', 'priority class names with \'system-\' prefix are reserved for system use only'));
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(fieldErrors.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (!PREEMPTION.includes(str(pc.preemptionPolicy))) errs.push(fieldErrors.notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION));
  return errs;
}

export const priorityClassStrategy = defineStrategy({
  namespaced: false,
  defaults: (pc) => setDefault(pc, 'preemptionPolicy', 'PreemptLowerPriority'),
  validate,
  validateUpdate: (pc, old) => [...immutable('value', pc.value, old.value), ...immutable('preemptionPolicy', pc.preemptionPolicy, old.preemptionPolicy)],
});

export function schedulingDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('scheduling.k8s.io', 'v1', 'priorityclasses'), {
      strategy: priorityClassStrategy,
      cells: { Value: (pc) => (typeof pc.value === 'number' ? pc.value : 0), 'Global-Default': (pc) => pc.globalDefault === true },
    }),
  ];
}
