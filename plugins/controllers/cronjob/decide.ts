import type { KubeObject } from '../../../internal/api/index.js';
import { controllerRefTo } from '../workloads/claim.js';
import { findCondition } from '../workloads/conditions.js';
import { type Schedule, ScheduleError, isTimeZone, parseSchedule } from './schedule.js';

export interface JobLike extends KubeObject {
  status?: { conditions?: { type: string; status: string }[]; startTime?: string; completionTime?: string };
}

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  };
  status?: CronJobStatus;
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion: string;
  resourceVersion?: string;
}

export interface CronJobStatus {
  active?: ObjectRef[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronPlan {
  create?: JobLike;
  /** Active jobs to delete (Replace) and finished jobs beyond the history limits. */
  delete: JobLike[];
  status: CronJobStatus;
  events: CronEvent[];
  requeueAfterMs?: number;
}

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MISSED_LIMIT = 100;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function finished(job: JobLike): 'Complete' | 'Failed' | undefined {
  if (findCondition(job.status?.conditions as never, 'Complete')?.status === 'True') return 'Complete';
  if (findCondition(job.status?.conditions as never, 'Failed')?.status === 'True') return 'Failed';
  return undefined;
}

const refTo = (job: JobLike): ObjectRef => ({ kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion });

/** The job name for a scheduled time: `<cronjob>-<minutes since the epoch>` (getJobName). */
export const jobName = (cj: CronJob, scheduled: number) => `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;

/**
 * The latest schedule time in (earliest, now], and how many were missed, or undefined when
 * none is due (upstream's mostRecentScheduleTime with the startingDeadlineSeconds window).
 */
export function mostRecentSchedule(cj: CronJob, sched: Schedule, now: number): { time?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  if (cj.spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - cj.spec.startingDeadlineSeconds * 1000);
  let time: number | undefined;
  let missed = 0;
  for (let t = sched.next(earliest, cj.spec.timeZone); t <= now; t = sched.next(t, cj.spec.timeZone)) {
    time = t;
    missed++;
    if (missed > 100_000) break;
  }
  return { time, missed };
}

/**
 * One sync of a CronJob (upstream's syncCronJob) over the jobs it owns: keep status.active and
 * lastSuccessfulTime true to the jobs, start the job of the most recent schedule time unless it
 * is too late (startingDeadlineSeconds), already started or forbidden by concurrencyPolicy,
 * replace active jobs under Replace, and delete finished jobs beyond the history limits.
 */
export function planCronJob(cj: CronJob, owned: JobLike[], now: number): CronPlan {
  const events: CronEvent[] = [];
  const byUid = new Map(owned.map((j) => [j.metadata.uid, j]));
  const status: CronJobStatus = { ...cj.status };
  let active = [...(cj.status?.active ?? [])];
  for (const j of owned) {
    const inActive = active.some((r) => r.uid === j.metadata.uid);
    const done = finished(j);
    if (!inActive && !done) events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${j.metadata.name}` });
    else if (inActive && done) {
      active = active.filter((r) => r.uid !== j.metadata.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, condition: ${done}` });
    }
    const completed = done === 'Complete' ? j.status?.completionTime : undefined;
    if (completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = completed;
  }
  for (const r of active.filter((r) => !byUid.has(r.uid))) {
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${r.name}` });
  }
  active = active.filter((r) => byUid.has(r.uid));
  status.active = active;
  const plan: CronPlan = { delete: cleanupHistory(cj, owned), status, events };
  for (const j of plan.delete) events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${j.metadata.name}` });
  if (cj.metadata.deletionTimestamp || cj.spec.suspend) return plan;

  const tz = cj.spec.timeZone;
  if (tz !== undefined && !isTimeZone(tz)) {
    events.push({ type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: "${tz}": unknown time zone ${tz}` });
    return plan;
  }
  let sched: Schedule;
  try {
    sched = parseSchedule(cj.spec.schedule);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    events.push({ type: 'Warning', reason: 'InvalidSchedule', message: `invalid schedule: ${cj.spec.schedule} : ${err.message}` });
    return plan;
  }
  const requeue = () => Math.max(0, sched.next(now, tz) - now) + 100;
  plan.requeueAfterMs = requeue();
  const { time, missed } = mostRecentSchedule(cj, sched, now);
  if (time === undefined) return plan;
  if (missed > MISSED_LIMIT) {
    events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  }
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && time + deadline * 1000 < now) {
    events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${new Date(time).toUTCString()}` });
    return plan;
  }
  const name = jobName(cj, time);
  if (active.some((r) => r.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === time)) return plan;
  const policy = cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (policy === 'Replace') {
    for (const r of active) {
      const j = byUid.get(r.uid);
      if (j && !plan.delete.includes(j)) {
        plan.delete.push(j);
        events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${j.metadata.name}` });
      }
    }
    status.active = [];
  }
  plan.create = jobFor(cj, name, time);
  status.lastScheduleTime = iso(time);
  return plan;
}

/** The Job a CronJob starts for a scheduled time (getJobFromTemplate2). */
export function jobFor(cj: CronJob, name: string, scheduled: number): JobLike {
  const meta = cj.spec.jobTemplate?.metadata ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...meta.labels },
      annotations: { ...meta.annotations, [SCHEDULED_TIMESTAMP]: scheduledText(scheduled, cj.spec.timeZone) },
      ownerReferences: [controllerRefTo(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(cj.spec.jobTemplate?.spec ?? {}),
  };
}

/** RFC 3339 in the CronJob's time zone, as the scheduled-timestamp annotation carries it. */
function scheduledText(ms: number, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return iso(ms);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = Math.round((local - ms) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Finished jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
function cleanupHistory(cj: CronJob, owned: JobLike[]): JobLike[] {
  const started = (j: JobLike) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
  const out: JobLike[] = [];
  for (const [kind, limit] of [['Complete', cj.spec.successfulJobsHistoryLimit ?? 3], ['Failed', cj.spec.failedJobsHistoryLimit ?? 1]] as const) {
    const done = owned.filter((j) => finished(j) === kind && !j.metadata.deletionTimestamp).sort((a, b) => started(a) - started(b));
    if (done.length > limit) out.push(...done.slice(0, done.length - limit));
  }
  return out;
}
