import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import { create, fields, NOW, row, update } from '../shared/test-helpers.js';
import { batchDefinitions } from './index.js';

const defs = batchDefinitions();
const jobs = defs.find((d) => d.plural === 'jobs')!;
const cronjobs = defs.find((d) => d.plural === 'cronjobs')!;
const podTemplate = (restartPolicy?: string) => ({
  spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], ...(restartPolicy ? { restartPolicy } : {}) },
});
const job = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, spec });

describe('job', () => {
  it('defaults and generated selector like upstream 1.33 (batch.kubernetes.io labels beside the legacy ones)', () => {
    const { obj, errs } = create(jobs, job({ template: podTemplate('Never') }));
    expect(errs).toEqual([]);
    const uid = obj.metadata.uid!;
    expect(obj.spec).toMatchObject({
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: {
        metadata: { creationTimestamp: null, labels: { 'batch.kubernetes.io/controller-uid': uid, 'controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'job-name': 'pi' } },
        spec: { restartPolicy: 'Never', dnsPolicy: 'ClusterFirst' },
      },
    });
    expect(obj.status).toEqual({});
    expect(jobs.trackGeneration).toBe(true);
  });

  it('parallelism without completions stays open-ended', () => {
    const { obj } = create(jobs, job({ parallelism: 3, template: podTemplate('OnFailure') }));
    expect((obj.spec as Record<string, unknown>).completions).toBeUndefined();
    obj.status = { succeeded: 1 };
    expect(row(jobs, obj).Completions).toBe('1/1 of 3');
  });

  it('has 1.33\'s STATUS column: a finished condition, then deletion, then suspension', () => {
    expect(jobs.columns!.map((c) => c.name).slice(0, 5)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    const { obj } = create(jobs, job({ template: podTemplate('Never') }));
    const withConditions = (conditions: { type: string; status: string }[], deleting = false) => {
      const o = structuredClone(obj);
      o.status = { conditions };
      if (deleting) o.metadata.deletionTimestamp = '2026-11-23T10:00:00Z';
      return row(jobs, o).Status;
    };
    expect(withConditions([])).toBe('Running');
    expect(withConditions([{ type: 'Suspended', status: 'True' }])).toBe('Suspended');
    expect(withConditions([{ type: 'Suspended', status: 'True' }], true)).toBe('Terminating');
    expect(withConditions([{ type: 'Complete', status: 'True' }], true)).toBe('Complete');
    expect(withConditions([{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }])).toBe('Failed');
    expect(withConditions([{ type: 'FailureTarget', status: 'True' }])).toBe('FailureTarget');
    expect(withConditions([{ type: 'Complete', status: 'False' }])).toBe('Running');
  });

  it.each([
    ['restartPolicy defaults to Always, which Jobs refuse', { template: podTemplate() }, ['spec.template.spec.restartPolicy']],
    ['negative backoffLimit', { backoffLimit: -1, template: podTemplate('Never') }, ['spec.backoffLimit']],
    ['Indexed without completions', { completionMode: 'Indexed', parallelism: 2, template: podTemplate('Never') }, ['spec.completions']],
    ['manual selector not matching', { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: podTemplate('Never') }, ['spec.template.metadata.labels']],
  ])('%s → 422', (_n, spec, expected) => {
    expect(fields(create(jobs, job(spec)).errs)).toEqual(expected);
  });

  it('template is immutable', () => {
    const { obj } = create(jobs, job({ template: podTemplate('Never') }));
    const changed = structuredClone(obj);
    (changed.spec as any).template.spec.containers[0].image = 'perl:5.36';
    expect(fields(update(jobs, changed, obj).errs)).toEqual(['spec.template']);
  });

  it('table cells: COMPLETIONS, DURATION, AGE, wide containers/images/selector', () => {
    const { obj } = create(jobs, job({ template: podTemplate('Never') }));
    obj.status = { succeeded: 1, startTime: '2026-11-23T09:59:10Z', completionTime: '2026-11-23T09:59:25Z' };
    expect(Object.values(row(jobs, obj))).toEqual(['pi', 'Running', '1/1', '15s', '60s', 'pi', 'perl:5.34', `batch.kubernetes.io/controller-uid=${obj.metadata.uid}`]);
    delete (obj.status as Record<string, unknown>).completionTime;
    expect(row(jobs, obj, NOW).Duration).toBe('50s');
    delete (obj.status as Record<string, unknown>).startTime;
    expect(row(jobs, obj).Duration).toBe('');
  });
});

describe('cronjob', () => {
  const cj = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hello' }, spec });

  it('defaults, table cells', () => {
    const { obj, errs } = create(cronjobs, cj({ schedule: '*/1 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } } }));
    expect(errs).toEqual([]);
    expect(obj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    // The job template's spec is not defaulted (upstream defaults only the pod template inside it).
    expect((obj.spec as any).jobTemplate.spec.backoffLimit).toBeUndefined();
    expect((obj.spec as any).jobTemplate.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(Object.values(row(cronjobs, obj))).toEqual(['hello', '*/1 * * * *', '<none>', 'False', 0, '<none>', '60s', 'pi', 'perl:5.34', '<none>']);
    (obj.spec as Record<string, unknown>).timeZone = 'Europe/Berlin';
    expect(row(cronjobs, obj).Timezone).toBe('Europe/Berlin');
  });

  it.each([
    ['bad schedule', { schedule: '61 * * * *', jobTemplate: { spec: { template: podTemplate('Never') } } }, ['spec.schedule']],
    ['missing schedule and Always', { jobTemplate: { spec: { template: podTemplate() } } }, ['spec.schedule', 'spec.jobTemplate.spec.template.spec.restartPolicy']],
    ['concurrency', { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: { template: podTemplate('Never') } } }, ['spec.concurrencyPolicy']],
  ])('%s → 422', (_n, spec, expected) => {
    expect(fields(create(cronjobs, cj(spec)).errs)).toEqual(expected);
  });
});
