import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, get, isObj, num } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { validatePodTemplate } from '../shared/pod-spec-validation.js';
import { formatLabels } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { REPLICAS_SCALE, templateCells, validateNonNegative, zeroStatusCounters } from '../shared/workload.js';
import { validateLabels } from '../shared/validation.js';
import { upstream } from '../upstream/index.js';

/** SetDefaults_ReplicationController: selector and labels default to the template's labels. */
function defaults(rc: KubeObject): void {
  const spec = child(rc, 'spec');
  const templateLabels = get(spec, 'template', 'metadata', 'labels');
  if (isObj(templateLabels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...(templateLabels as Record<string, string>) };
  }
  if (spec.replicas === undefined) spec.replicas = 1;
  defaultPodTemplateAt(rc, 'spec', 'template');
  zeroStatusCounters(rc, ['replicas']);
}

function validate(rc: KubeObject): FieldError[] {
  const spec = isObj(rc.spec) ? rc.spec : {};
  const selector = isObj(spec.selector) ? (spec.selector as Record<string, string>) : {};
  const errs = [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateLabels(selector, 'spec.selector')];
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required('spec.selector', ''));
  errs.push(...validatePodTemplate(spec.template, 'spec.template'));
  const labels = get(spec, 'template', 'metadata', 'labels');
  const matches = Object.entries(selector).every(([k, v]) => isObj(labels) && labels[k] === v);
  if (Object.keys(selector).length > 0 && !matches) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'));
  }
  return errs;
}

export const replicationControllerStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults,
  validate,
  selectableFields: (rc) => ({ 'status.replicas': String(num(get(rc, 'status', 'replicas'))) }),
});

export function replicationControllerDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'replicationcontrollers'), {
    strategy: replicationControllerStrategy,
    cells: {
      Desired: (rc) => num(get(rc, 'spec', 'replicas')),
      Current: (rc) => num(get(rc, 'status', 'replicas')),
      Ready: (rc) => num(get(rc, 'status', 'readyReplicas')),
      ...templateCells,
      Selector: (rc) => formatLabels(get(rc, 'spec', 'selector')),
    },
    subresources: {
      status: { strategy: subresourceStrategy(replicationControllerStrategy) },
      // spec.selector here is a plain label map, which ScalePaths cannot render (it expects a
      // LabelSelector or a string), so the RC Scale carries no status.selector.
      scale: { scale: { specReplicasPath: REPLICAS_SCALE.specReplicasPath, statusReplicasPath: REPLICAS_SCALE.statusReplicasPath } },
    },
  });
}
