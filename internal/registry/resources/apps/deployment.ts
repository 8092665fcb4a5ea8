import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, get, isObj, num, setDefault, str } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { selectorString } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import {
  intOrPercentError, isZeroIntOrPercent, REPLICAS_SCALE, templateCells, validateNonNegative, validateRestartAlways,
  validateSelectorAndTemplate, validateSelectorUnchanged,
} from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

const STRATEGY_TYPES = ['Recreate', 'RollingUpdate'];

/** apps/v1 SetDefaults_Deployment. */
function defaults(d: KubeObject): void {
  const spec = child(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateAt(d, 'spec', 'template');
}

function validateStrategy(spec: Record<string, unknown>): FieldError[] {
  const strategy = isObj(spec.strategy) ? spec.strategy : {};
  const type = str(strategy.type);
  if (!STRATEGY_TYPES.includes(type)) return [fieldErrors.notSupported('spec.strategy.type', strategy.type, STRATEGY_TYPES)];
  const ru = strategy.rollingUpdate;
  if (type === 'Recreate') {
    return ru === undefined ? [] : [fieldErrors.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")];
  }
  const errs: FieldError[] = [];
  for (const key of ['maxUnavailable', 'maxSurge']) {
    const v = get(ru, key);
    const problem = v === undefined ? undefined : intOrPercentError(v);
    if (problem) errs.push(fieldErrors.invalid(`spec.strategy.rollingUpdate.${key}`, v, problem));
  }
  if (isZeroIntOrPercent(get(ru, 'maxUnavailable')) && isZeroIntOrPercent(get(ru, 'maxSurge'))) {
    errs.push(fieldErrors.invalid('spec.strategy.rollingUpdate.maxUnavailable', get(ru, 'maxUnavailable') ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

function validate(d: KubeObject): FieldError[] {
  const spec = isObj(d.spec) ? d.spec : {};
  const errs = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(d),
    ...validateRestartAlways(d),
    ...validateStrategy(spec),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number' && deadline <= num(spec.minReadySeconds)) {
    errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export const deploymentStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults,
  validate,
  validateUpdate: (d, old) => validateSelectorUnchanged(d, old),
});

export function deploymentDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('apps', 'v1', 'deployments'), {
    strategy: deploymentStrategy,
    cells: {
      Ready: (d) => `${num(get(d, 'status', 'readyReplicas'))}/${num(get(d, 'spec', 'replicas'))}`,
      'Up-to-date': (d) => num(get(d, 'status', 'updatedReplicas')),
      Available: (d) => num(get(d, 'status', 'availableReplicas')),
      ...templateCells,
      Selector: (d) => selectorString(get(d, 'spec', 'selector')),
    },
    subresources: {
      status: { strategy: subresourceStrategy(deploymentStrategy) },
      scale: { scale: REPLICAS_SCALE },
    },
  });
}
