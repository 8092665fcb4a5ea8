import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin, type Cell } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { child, get, isObj, num, objs, setDefault, str } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { formatLabelSelector } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { humanDuration } from '../shared/time.js';
import { templateCells, validateNonNegative, validateSelectorAndTemplate } from '../shared/workload.js';
import { upstream } from '../upstream/index.js';

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const JOB_RESTART = ['OnFailure', 'Never'];

/** batch/v1 SetDefaults_Job for the job spec at `path` (a Job's spec). */
export function defaultJobSpec(spec: Record<string, unknown>): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
}

/** Template restartPolicy must be OnFailure or Never (Jobs and CronJob job templates). */
export function validateJobRestart(obj: KubeObject, field: string): FieldError[] {
  const policy = get(obj, ...field.split('.'));
  return JOB_RESTART.includes(str(policy)) ? [] : [fieldErrors.notSupported(field, policy, JOB_RESTART)];
}

/** The labels 1.27+ puts on a Job's pods: the batch.kubernetes.io/ names and the legacy ones beside them. */
const UID_LABELS = ['batch.kubernetes.io/controller-uid', 'controller-uid'];
const NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

/**
 * Without manualSelector the server owns the selector: batch.kubernetes.io/controller-uid=<uid>,
 * which is unique; the template gets both uid labels and both job-name labels.
 */
function generateSelector(job: KubeObject): void {
  const spec = child(job, 'spec');
  if (spec.manualSelector === true || !job.metadata.uid) return;
  const uid = job.metadata.uid;
  spec.selector = { matchLabels: { [UID_LABELS[0]!]: uid } };
  const meta = child(child(spec, 'template'), 'metadata');
  const labels: Record<string, unknown> = isObj(meta.labels) ? { ...meta.labels } : {};
  for (const l of UID_LABELS) labels[l] = uid;
  if (job.metadata.name) for (const l of NAME_LABELS) labels[l] = job.metadata.name;
  meta.labels = labels;
}

function validate(job: KubeObject): FieldError[] {
  const spec = isObj(job.spec) ? job.spec : {};
  const errs = [
    ...validateSelectorAndTemplate(job),
    ...validateJobRestart(job, 'spec.template.spec.restartPolicy'),
    ...validateNonNegative(spec.completions, 'spec.completions'),
    ...validateNonNegative(spec.parallelism, 'spec.parallelism'),
    ...validateNonNegative(spec.backoffLimit, 'spec.backoffLimit'),
  ];
  if (!COMPLETION_MODES.includes(str(spec.completionMode))) errs.push(fieldErrors.notSupported('spec.completionMode', spec.completionMode, COMPLETION_MODES));
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) {
    errs.push(fieldErrors.required('spec.completions', 'when completion mode is Indexed'));
  }
  if (spec.activeDeadlineSeconds !== undefined && !(num(spec.activeDeadlineSeconds) > 0)) {
    errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  return ['selector', 'template', 'completions', 'completionMode'].flatMap((k) => immutable(`spec.${k}`, get(job, 'spec', k), get(old, 'spec', k)));
}

export const jobStrategy = defineStrategy({
  namespaced: true,
  status: true,
  generation: true,
  defaults(job) {
    defaultJobSpec(child(job, 'spec'));
    defaultPodTemplateAt(job, 'spec', 'template');
  },
  onCreate: generateSelector,
  validate,
  validateUpdate,
  // The name may come from generateName after prepareForCreate: label the template with it here.
  canonicalize(job) {
    const labels = get(job, 'spec', 'template', 'metadata', 'labels');
    if (get(job, 'spec', 'manualSelector') !== true && isObj(labels) && labels[UID_LABELS[0]!] && job.metadata.name) {
      for (const l of NAME_LABELS) labels[l] ??= job.metadata.name;
    }
  },
  selectableFields: (job) => ({ 'status.successful': String(num(get(job, 'status', 'succeeded'))) }),
});

const completions: Cell = (job) => {
  const succeeded = num(get(job, 'status', 'succeeded'));
  const total = get(job, 'spec', 'completions');
  if (typeof total === 'number') return `${succeeded}/${total}`;
  const parallelism = num(get(job, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
};

const hasCondition = (job: KubeObject, type: string): boolean =>
  objs(get(job, 'status', 'conditions')).find((c) => c.type === type)?.status === 'True';

/** 1.33's Status column: a finished condition first, then deletion, then suspension. */
const status: Cell = (job) => {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
};

const duration: Cell = (job, now) => {
  const start = Date.parse(str(get(job, 'status', 'startTime')));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(str(get(job, 'status', 'completionTime')));
  return humanDuration((Number.isNaN(end) ? now : end) - start);
};

export function jobDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('batch', 'v1', 'jobs'), {
    strategy: jobStrategy,
    cells: {
      Status: status,
      Completions: completions,
      Duration: duration,
      ...templateCells,
      Selector: (job) => formatLabelSelector(get(job, 'spec', 'selector')),
    },
    subresources: { status: { strategy: subresourceStrategy(jobStrategy) } },
  });
}
