import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { containerCells, defineBuiltin } from '../shared/define.js';
import { cronScheduleError } from '../shared/cron.js';
import { arr, child, get, isObj, setDefault, str } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { validatePodTemplate } from '../shared/pod-spec-validation.js';
import { formatLabelSelector } from '../shared/selectors.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { since } from '../shared/time.js';
import { validateNonNegative } from '../shared/workload.js';
import { upstream } from '../upstream/index.js';
import { validateJobRestart } from './job.js';

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];

/** batch/v1 SetDefaults_CronJob (the job template's own spec is not defaulted, as upstream). */
function defaults(cj: KubeObject): void {
  const spec = child(cj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplateAt(cj, 'spec', 'jobTemplate', 'spec', 'template');
}

function validate(cj: KubeObject): FieldError[] {
  const spec = isObj(cj.spec) ? cj.spec : {};
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(fieldErrors.required('spec.schedule', ''));
  else {
    const problem = cronScheduleError(schedule);
    if (problem) errs.push(fieldErrors.invalid('spec.schedule', schedule, problem));
  }
  if (!CONCURRENCY.includes(str(spec.concurrencyPolicy))) errs.push(fieldErrors.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY));
  errs.push(...validateNonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...validateNonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  errs.push(...validatePodTemplate(get(spec, 'jobTemplate', 'spec', 'template'), 'spec.jobTemplate.spec.template'));
  errs.push(...validateJobRestart(cj, 'spec.jobTemplate.spec.template.spec.restartPolicy'));
  return errs;
}

export const cronJobStrategy = defineStrategy({ namespaced: true, status: true, generation: true, defaults, validate });

export function cronJobDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('batch', 'v1', 'cronjobs'), {
    strategy: cronJobStrategy,
    cells: {
      Schedule: (cj) => str(get(cj, 'spec', 'schedule')),
      Timezone: (cj) => (typeof get(cj, 'spec', 'timeZone') === 'string' ? str(get(cj, 'spec', 'timeZone')) : '<none>'),
      Suspend: (cj) => {
        const s = get(cj, 'spec', 'suspend');
        return typeof s === 'boolean' ? (s ? 'True' : 'False') : '<unset>';
      },
      Active: (cj) => arr(get(cj, 'status', 'active')).length,
      'Last Schedule': (cj, now) => (get(cj, 'status', 'lastScheduleTime') ? since(get(cj, 'status', 'lastScheduleTime'), now) : '<none>'),
      ...containerCells((cj) => get(cj, 'spec', 'jobTemplate', 'spec', 'template')),
      Selector: (cj) => formatLabelSelector(get(cj, 'spec', 'jobTemplate', 'spec', 'selector')),
    },
    subresources: { status: { strategy: subresourceStrategy(cronJobStrategy) } },
  });
}
