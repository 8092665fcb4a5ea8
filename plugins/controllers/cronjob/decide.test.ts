import { describe, expect, it } from 'vitest';
import { type CronJob, type JobLike, SCHEDULED_TIMESTAMP, jobFor, planCronJob } from './decide.js';

const T = (s: string) => Date.parse(s);

function cronjob(spec: Partial<CronJob['spec']> = {}, status?: CronJob['status']): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'uid-cj', creationTimestamp: '2026-03-01T10:00:10Z' },
    spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [] } } } }, ...spec },
    ...(status ? { status } : {}),
  };
}

function job(name: string, state: 'active' | 'Complete' | 'Failed', start = '2026-03-01T10:01:00Z'): JobLike {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    status: { startTime: start, ...(state !== 'active' ? { conditions: [{ type: state, status: 'True' }], completionTime: '2026-03-01T10:01:30Z' } : {}) },
  };
}

describe('planCronJob', () => {
  it('waits for the first schedule time after creation', () => {
    const plan = planCronJob(cronjob(), [], T('2026-03-01T10:00:40Z'));
    expect(plan.create).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(20_100);
  });
  it('starts the job of the most recent schedule time, named after its minute', () => {
    const plan = planCronJob(cronjob(), [], T('2026-03-01T10:02:05Z'));
    expect(plan.create!.metadata.name).toBe(`tick-${T('2026-03-01T10:02:00Z') / 60_000}`);
    expect(plan.create!.metadata.annotations![SCHEDULED_TIMESTAMP]).toBe('2026-03-01T10:02:00Z');
    expect(plan.create!.metadata.ownerReferences![0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    expect(plan.status.lastScheduleTime).toBe('2026-03-01T10:02:00Z');
  });
  it('does not start a time twice', () => {
    const plan = planCronJob(cronjob({}, { lastScheduleTime: '2026-03-01T10:02:00Z' }), [], T('2026-03-01T10:02:30Z'));
    expect(plan.create).toBeUndefined();
  });
  it('startingDeadlineSeconds: a time older than the window is skipped, one inside it starts', () => {
    const cj = cronjob({ schedule: '0 * * * *', startingDeadlineSeconds: 30 }, { lastScheduleTime: '2026-03-01T09:00:00Z' });
    const late = planCronJob(cj, [], T('2026-03-01T11:00:45Z'));
    expect(late.create).toBeUndefined();
    expect(late.status.lastScheduleTime).toBe('2026-03-01T09:00:00Z');
    expect(planCronJob(cj, [], T('2026-03-01T11:00:25Z')).status.lastScheduleTime).toBe('2026-03-01T11:00:00Z');
  });
  it('Forbid skips while a job runs; Replace deletes it', () => {
    const running = job('tick-1', 'active');
    const status = { active: [{ kind: 'Job', name: 'tick-1', uid: 'uid-tick-1', apiVersion: 'batch/v1' }], lastScheduleTime: '2026-03-01T10:01:00Z' };
    const now = T('2026-03-01T10:02:01Z');
    expect(planCronJob(cronjob({ concurrencyPolicy: 'Forbid' }, status), [running], now).create).toBeUndefined();
    const replace = planCronJob(cronjob({ concurrencyPolicy: 'Replace' }, status), [running], now);
    expect(replace.delete.map((j) => j.metadata.name)).toEqual(['tick-1']);
    expect(replace.create).toBeDefined();
    expect(planCronJob(cronjob({}, status), [running], now).create).toBeDefined();
  });
  it('drops finished jobs from active, records lastSuccessfulTime and keeps the history limits', () => {
    const jobs = [job('a', 'Complete', '2026-03-01T10:01:00Z'), job('b', 'Complete', '2026-03-01T10:02:00Z'), job('c', 'Failed', '2026-03-01T10:03:00Z'), job('d', 'Failed', '2026-03-01T10:04:00Z')];
    const status = { active: [{ kind: 'Job', name: 'b', uid: 'uid-b', apiVersion: 'batch/v1' }], lastScheduleTime: '2026-03-01T10:04:00Z' };
    const plan = planCronJob(cronjob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, status), jobs, T('2026-03-01T10:04:30Z'));
    expect(plan.status.active).toEqual([]);
    expect(plan.status.lastSuccessfulTime).toBe('2026-03-01T10:01:30Z');
    expect(plan.delete.map((j) => j.metadata.name)).toEqual(['a', 'c']);
  });
  it('suspended: no job', () => {
    expect(planCronJob(cronjob({ suspend: true }), [], T('2026-03-01T10:05:00Z')).create).toBeUndefined();
  });
  it('unknown time zone and bad schedule are Warning events', () => {
    expect(planCronJob(cronjob({ timeZone: 'Mars/Base' }), [], T('2026-03-01T10:05:00Z')).events[0]!.reason).toBe('UnknownTimeZone');
    expect(planCronJob(cronjob({ schedule: 'nope' }), [], T('2026-03-01T10:05:00Z')).events[0]!.reason).toBe('InvalidSchedule');
  });
  it('scheduled timestamp carries the time zone offset', () => {
    const j = jobFor(cronjob({ timeZone: 'Asia/Kolkata' }), 'x', T('2026-03-01T10:00:00Z'));
    expect(j.metadata.annotations![SCHEDULED_TIMESTAMP]).toBe('2026-03-01T15:30:00+05:30');
  });
});
