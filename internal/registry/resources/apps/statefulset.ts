import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, clone, deepEqual, get, isObj, num, objs, setDefault, str } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import {
  REPLICAS_SCALE, templateCells, validateNonNegative, validateRestartAlways, validateSelectorAndTemplate,
  zeroStatusCounters,
} from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

const POLICIES = ['OrderedReady', 'Parallel'];
const UPDATE_TYPES = ['OnDelete', 'RollingUpdate'];
const UPDATABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** apps/v1 SetDefaults_StatefulSet, plus PVC defaults on the claim templates. */
function defaults(sts: KubeObject): void {
  const spec = child(sts, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const update = child(spec, 'updateStrategy');
  setDefault(update, 'type', 'RollingUpdate');
  if (update.type === 'RollingUpdate') setDefault(child(update, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  for (const claim of objs(spec.volumeClaimTemplates)) {
    setDefault(claim, 'apiVersion', 'v1');
    setDefault(claim, 'kind', 'PersistentVolumeClaim');
    setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(child(claim, 'status'), 'phase', 'Pending');
  }
  defaultPodTemplateAt(sts, 'spec', 'template');
}

function validate(sts: KubeObject): FieldError[] {
  const spec = isObj(sts.spec) ? sts.spec : {};
  const errs = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(sts),
    ...validateRestartAlways(sts),
  ];
  if (!POLICIES.includes(str(spec.podManagementPolicy))) errs.push(fieldErrors.notSupported('spec.podManagementPolicy', spec.podManagementPolicy, POLICIES));
  const type = get(spec, 'updateStrategy', 'type');
  if (!UPDATE_TYPES.includes(str(type))) errs.push(fieldErrors.notSupported('spec.updateStrategy.type', type, UPDATE_TYPES));
  if (type === 'OnDelete' && get(spec, 'updateStrategy', 'rollingUpdate') !== undefined) {
    errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', get(spec, 'updateStrategy', 'rollingUpdate'), 'only allowed for updateStrategy \'RollingUpdate\''));
  }
  errs.push(...validateNonNegative(get(spec, 'updateStrategy', 'rollingUpdate', 'partition'), 'spec.updateStrategy.rollingUpdate.partition'));
  return errs;
}

/** Only a few spec fields may change after creation (upstream ValidateStatefulSetUpdate). */
function validateUpdate(sts: KubeObject, old: KubeObject): FieldError[] {
  const next = clone(isObj(sts.spec) ? sts.spec : {});
  const prev = clone(isObj(old.spec) ? old.spec : {});
  for (const k of UPDATABLE) {
    delete next[k];
    delete prev[k];
  }
  if (deepEqual(next, prev)) return [];
  return [fieldErrors.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

export const statefulSetStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults(sts) {
    defaults(sts);
    zeroStatusCounters(sts, ['replicas', 'availableReplicas']);
  },
  validate,
  validateUpdate,
});

export function statefulSetDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('apps', 'v1', 'statefulsets'), {
    strategy: statefulSetStrategy,
    cells: {
      Ready: (s) => `${num(get(s, 'status', 'readyReplicas'))}/${num(get(s, 'spec', 'replicas'))}`,
      ...templateCells,
    },
    subresources: {
      status: { strategy: subresourceStrategy(statefulSetStrategy) },
      scale: { scale: REPLICAS_SCALE },
    },
  });
}
