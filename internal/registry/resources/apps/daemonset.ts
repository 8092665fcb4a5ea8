import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, get, num, setDefault, str } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { formatLabels, selectorString } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import {
  intOrPercentError, isZeroIntOrPercent, templateCells, validateNonNegative, validateRestartAlways,
  validateSelectorAndTemplate, validateSelectorUnchanged,
  zeroStatusCounters,
} from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

const UPDATE_TYPES = ['OnDelete', 'RollingUpdate'];

/** apps/v1 SetDefaults_DaemonSet. */
function defaults(ds: KubeObject): void {
  const spec = child(ds, 'spec');
  const update = child(spec, 'updateStrategy');
  setDefault(update, 'type', 'RollingUpdate');
  if (update.type === 'RollingUpdate') {
    const ru = child(update, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateAt(ds, 'spec', 'template');
}

function validate(ds: KubeObject): FieldError[] {
  const errs = [
    ...validateSelectorAndTemplate(ds),
    ...validateRestartAlways(ds),
    ...validateNonNegative(get(ds, 'spec', 'minReadySeconds'), 'spec.minReadySeconds'),
  ];
  const type = get(ds, 'spec', 'updateStrategy', 'type');
  if (!UPDATE_TYPES.includes(str(type))) errs.push(fieldErrors.notSupported('spec.updateStrategy.type', type, UPDATE_TYPES));
  if (type === 'RollingUpdate') {
    const ru = get(ds, 'spec', 'updateStrategy', 'rollingUpdate');
    for (const key of ['maxUnavailable', 'maxSurge']) {
      const v = get(ru, key);
      const problem = v === undefined ? undefined : intOrPercentError(v);
      if (problem) errs.push(fieldErrors.invalid(`spec.updateStrategy.rollingUpdate.${key}`, v, problem));
    }
    if (isZeroIntOrPercent(get(ru, 'maxUnavailable')) && isZeroIntOrPercent(get(ru, 'maxSurge'))) {
      errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', get(ru, 'maxUnavailable') ?? 0, 'cannot be 0 when maxSurge is 0'));
    }
  }
  return errs;
}

export const daemonSetStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults(ds) {
    defaults(ds);
    zeroStatusCounters(ds, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady']);
  },
  validate,
  validateUpdate: (ds, old) => validateSelectorUnchanged(ds, old),
});

export function daemonSetDefinition(): ResourceDefinition {
  const status = (key: string) => (ds: KubeObject) => num(get(ds, 'status', key));
  return defineBuiltin(upstream('apps', 'v1', 'daemonsets'), {
    strategy: daemonSetStrategy,
    cells: {
      Desired: status('desiredNumberScheduled'),
      Current: status('currentNumberScheduled'),
      Ready: status('numberReady'),
      'Up-to-date': status('updatedNumberScheduled'),
      Available: status('numberAvailable'),
      'Node Selector': (ds) => formatLabels(get(ds, 'spec', 'template', 'spec', 'nodeSelector')),
      ...templateCells,
      Selector: (ds) => selectorString(get(ds, 'spec', 'selector')),
    },
    subresources: { status: { strategy: subresourceStrategy(daemonSetStrategy) } },
  });
}
