import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { type Cell, defineBuiltin } from '../shared/define.js';
import { arr, child, get, isObj, num, objs, setDefault, str, type Obj } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { zeroStatusCounters } from '../shared/workload.js';
import { upstream } from '../upstream/index.js';
import { hpaV1ToV2, hpaV2ToV1 } from './convert.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SHOWN_METRICS = 2;

function validateScale(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(get(spec, 'scaleTargetRef', 'kind'))) errs.push(fieldErrors.required('spec.scaleTargetRef.kind', ''));
  if (!str(get(spec, 'scaleTargetRef', 'name'))) errs.push(fieldErrors.required('spec.scaleTargetRef.name', ''));
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (min !== undefined && !(typeof min === 'number' && min >= 1)) errs.push(fieldErrors.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (!(typeof max === 'number' && max >= 1)) errs.push(fieldErrors.invalid('spec.maxReplicas', max ?? 0, 'must be greater than 0'));
  else if (typeof min === 'number' && max < min) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

export const hpaV2Strategy = defineStrategy({
  namespaced: true,
  status: true,
  defaults(hpa) {
    const spec = child(hpa, 'spec');
    setDefault(spec, 'minReplicas', 1);
    if (arr(spec.metrics).length === 0) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    zeroStatusCounters(hpa, ['desiredReplicas']);
  },
  validate(hpa) {
    const spec = isObj(hpa.spec) ? hpa.spec : {};
    const errs = validateScale(spec);
    objs(spec.metrics).forEach((m, i) => {
      if (!METRIC_TYPES.includes(str(m.type))) errs.push(fieldErrors.notSupported(`spec.metrics[${i}].type`, m.type, METRIC_TYPES));
    });
    return errs;
  },
});

export const hpaV1Strategy = defineStrategy({
  namespaced: true,
  status: true,
  defaults(hpa) {
    setDefault(child(hpa, 'spec'), 'minReplicas', 1);
    zeroStatusCounters(hpa, ['currentReplicas', 'desiredReplicas']);
  },
  validate(hpa) {
    const spec = isObj(hpa.spec) ? hpa.spec : {};
    const errs = validateScale(spec);
    const cpu = spec.targetCPUUtilizationPercentage;
    if (cpu !== undefined && !(typeof cpu === 'number' && cpu >= 1)) errs.push(fieldErrors.invalid('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than or equal to 1'));
    return errs;
  },
});

/** One "current/target" entry of the TARGETS column (formatHPAMetrics). */
function metricText(spec: Obj, current: Obj | undefined): string {
  const type = str(spec.type);
  const key = type === 'Resource' ? 'resource' : type === 'ContainerResource' ? 'containerResource' : type === 'Pods' ? 'pods' : type === 'Object' ? 'object' : 'external';
  const target = get(spec, key, 'target');
  const now = get(current, key, 'current');
  if (get(target, 'type') === 'Utilization') {
    const cur = get(now, 'averageUtilization');
    return `${typeof cur === 'number' ? `${cur}%` : '<unknown>'}/${num(get(target, 'averageUtilization'))}%`;
  }
  const field = get(target, 'averageValue') !== undefined ? 'averageValue' : 'value';
  const cur = get(now, field);
  const suffix = field === 'averageValue' && (type === 'Object' || type === 'External') ? ' (avg)' : '';
  return `${cur === undefined ? '<unknown>' : String(cur)}/${String(get(target, field) ?? '')}${suffix}`;
}

function hpaCells(toV2: (o: KubeObject) => KubeObject): Record<string, Cell> {
  const v2 = (f: (h: KubeObject) => string | number): Cell => (o) => f(toV2(o));
  return {
    Reference: v2((h) => `${str(get(h, 'spec', 'scaleTargetRef', 'kind'))}/${str(get(h, 'spec', 'scaleTargetRef', 'name'))}`),
    Targets: v2((h) => {
      const specs = objs(get(h, 'spec', 'metrics'));
      if (specs.length === 0) return '<none>';
      const current = objs(get(h, 'status', 'currentMetrics'));
      const list = specs.slice(0, SHOWN_METRICS).map((m, i) => metricText(m, current[i]));
      return specs.length > SHOWN_METRICS ? `${list.join(', ')} + ${specs.length - SHOWN_METRICS} more...` : list.join(', ');
    }),
    MinPods: v2((h) => (typeof get(h, 'spec', 'minReplicas') === 'number' ? String(get(h, 'spec', 'minReplicas')) : '<unset>')),
    MaxPods: v2((h) => num(get(h, 'spec', 'maxReplicas'))),
    Replicas: v2((h) => num(get(h, 'status', 'currentReplicas'))),
  };
}

export function autoscalingDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('autoscaling', 'v1', 'horizontalpodautoscalers'), {
      strategy: hpaV1Strategy,
      cells: hpaCells(hpaV1ToV2),
      storageGroup: 'autoscaling',
      storageResource: 'horizontalpodautoscalers',
      convert: { toStored: hpaV1ToV2, fromStored: hpaV2ToV1 },
      subresources: { status: { strategy: subresourceStrategy(hpaV1Strategy) } },
    }),
    defineBuiltin(upstream('autoscaling', 'v2', 'horizontalpodautoscalers'), {
      strategy: hpaV2Strategy,
      cells: hpaCells((o) => o),
      subresources: { status: { strategy: subresourceStrategy(hpaV2Strategy) } },
    }),
  ];
}
