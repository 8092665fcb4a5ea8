import { labelSelectorAsQuery } from '../../../internal/api/index.js';
import { claim } from '../workloads/claim.js';
import { type Condition, findCondition, setCondition } from '../workloads/conditions.js';
import { type Pod, isPodActive, isPodReady, podsToDelete } from '../workloads/pods.js';
import { matchFailurePolicy } from './failure-policy.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { podIndex } from './pod.js';
import { type Job, type JobStatus, TRACKING_FINALIZER } from './types.js';

export const BURST = 500;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 6 * 60_000;

export interface JobPlan {
  adopt: Pod[];
  release: Pod[];
  /** Pods to create: one entry each, with the completion index for Indexed jobs. */
  create: { index?: number }[];
  delete: Pod[];
  /** Finished pods whose tracking finalizer goes once `interim` is written. */
  removeFinalizers: Pod[];
  /** Status recording newly finished pods in uncountedTerminatedPods; write before removing finalizers. */
  interim?: JobStatus;
  /** Status once the finalizers are gone (counters moved out of uncountedTerminatedPods). */
  status: JobStatus;
  requeueAfterMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isTrue = (s: JobStatus | undefined, type: string) => findCondition(s?.conditions, type)?.status === 'True';
export const isFinished = (job: Job) => isTrue(job.status, 'Complete') || isTrue(job.status, 'Failed');

interface Counted {
  succeeded: Pod[];
  failed: Pod[];
  ignored: Pod[];
  dropped: Pod[];
  failJob?: string;
}

/** A pod being deleted that has not finished. */
const terminating = (p: Pod) => !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/**
 * Finished pods by outcome. A deleted pod that never finished counts as failed (orphans never
 * reach a phase), unless a podFailurePolicy must see its terminal state first; once the Job met
 * its success criteria, the leftover pods it deletes count as nothing (`dropped`).
 */
function classify(job: Job, pods: Pod[]): Counted {
  const out: Counted = { succeeded: [], failed: [], ignored: [], dropped: [] };
  const succeeding = isTrue(job.status, 'SuccessCriteriaMet');
  for (const p of pods) {
    if (p.status?.phase === 'Succeeded') out.succeeded.push(p);
    else if (p.status?.phase === 'Failed') {
      const m = matchFailurePolicy(job.spec.podFailurePolicy?.rules, p);
      if (m?.action === 'Ignore') out.ignored.push(p);
      else out.failed.push(p);
      if (m?.action === 'FailJob' && !out.failJob) out.failJob = m.message;
    } else if (terminating(p)) {
      if (succeeding) out.dropped.push(p);
      else if (!job.spec.podFailurePolicy) out.failed.push(p);
    }
  }
  return out;
}

function lastFailure(pods: Pod[]): number {
  let last = 0;
  for (const p of pods) {
    const statuses = (p.status?.containerStatuses ?? []) as { state?: { terminated?: { finishedAt?: string } } }[];
    for (const c of statuses) last = Math.max(last, Date.parse(c.state?.terminated?.finishedAt ?? '') || 0);
    last = Math.max(last, Date.parse(p.metadata.deletionTimestamp ?? '') || 0);
  }
  return last;
}

/**
 * One sync of a Job (upstream's syncJob) over the pods of its namespace: exactly-once counting of
 * finished pods through the tracking finalizer and uncountedTerminatedPods, backoffLimit,
 * activeDeadlineSeconds, podFailurePolicy, suspend, Indexed completion, and the
 * SuccessCriteriaMet/Complete and FailureTarget/Failed conditions (the terminal one once no pod
 * is terminating). `manage` false (expectations pending) creates and deletes nothing.
 */
export function planJob(job: Job, candidates: Pod[], now: number, manage: boolean): JobPlan {
  const nowIso = iso(now);
  const claimed = claim(job, labelSelectorAsQuery(job.spec.selector), candidates);
  const pods = claimed.owned;
  const plan: JobPlan = { adopt: claimed.adopt, release: claimed.release, create: [], delete: [], removeFinalizers: [], status: { ...job.status } };
  const withFinalizer = (p: Pod) => p.metadata.finalizers?.includes(TRACKING_FINALIZER) ?? false;
  if (isFinished(job)) {
    plan.removeFinalizers = pods.filter(withFinalizer);
    return plan;
  }
  const old = job.status ?? {};
  const counted = classify(job, pods);
  const uncounted = { succeeded: new Set(old.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(old.uncountedTerminatedPods?.failed ?? []) };
  const fresh = (p: Pod) => withFinalizer(p) && !uncounted.succeeded.has(p.metadata.uid!) && !uncounted.failed.has(p.metadata.uid!);
  const newSucceeded = counted.succeeded.filter(fresh).map((p) => p.metadata.uid!);
  const newFailed = counted.failed.filter(fresh).map((p) => p.metadata.uid!);
  plan.removeFinalizers = [...counted.succeeded, ...counted.failed, ...counted.ignored, ...counted.dropped].filter(withFinalizer);
  if (newSucceeded.length + newFailed.length > 0) {
    plan.interim = { ...old, uncountedTerminatedPods: { succeeded: [...uncounted.succeeded, ...newSucceeded], failed: [...uncounted.failed, ...newFailed] } };
  }
  const indexed = job.spec.completionMode === 'Indexed';
  const completions = job.spec.completions;
  const doneIndexes = indexed ? parseIndexes(old.completedIndexes, completions ?? 0) : new Set<number>();
  if (indexed) for (const p of counted.succeeded) {
    const i = podIndex(p);
    if (i !== undefined && i < (completions ?? 0)) doneIndexes.add(i);
  }
  const succeeded = indexed ? doneIndexes.size : (old.succeeded ?? 0) + uncounted.succeeded.size + newSucceeded.length;
  const failed = (old.failed ?? 0) + uncounted.failed.size + newFailed.length;
  let active = pods.filter(isPodActive);
  const terminatingCount = pods.filter(terminating).length;

  let conditions = old.conditions ?? [];
  let startTime = old.startTime;
  let requeue: number | undefined;
  const suspended = job.spec.suspend === true;
  if (suspended) {
    conditions = setCondition(conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: nowIso }, nowIso);
    startTime = undefined;
  } else {
    if (isTrue(old, 'Suspended')) conditions = setCondition(conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: nowIso }, nowIso);
    startTime ??= nowIso;
  }

  // Failure first (upstream checks it before success).
  let failure = findCondition(conditions, 'FailureTarget');
  if (!failure && !suspended) {
    const deadline = job.spec.activeDeadlineSeconds;
    let reason: [string, string] | undefined;
    if (counted.failJob) reason = ['PodFailurePolicy', counted.failJob];
    else if (failed > (job.spec.backoffLimit ?? 6)) reason = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
    else if (deadline !== undefined && startTime && now >= Date.parse(startTime) + deadline * 1000) reason = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
    else if (deadline !== undefined && startTime) requeue = Date.parse(startTime) + deadline * 1000 - now;
    if (reason) {
      failure = { type: 'FailureTarget', status: 'True', reason: reason[0], message: reason[1], lastProbeTime: nowIso };
      conditions = setCondition(conditions, failure, nowIso);
    }
  }
  const complete = !failure && (indexed || completions !== undefined ? succeeded >= (completions ?? 0) : succeeded > 0 && active.length === 0);
  if (complete) {
    conditions = setCondition(conditions, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: nowIso }, nowIso);
  }

  if (failure || complete || suspended) {
    plan.delete = active;
  } else if (manage) {
    requeue = minDefined(requeue, manageActive(job, plan, active, doneIndexes, succeeded, counted.failed, failed, now));
  }
  active = active.filter((p) => !plan.delete.includes(p));
  const finalTerminating = terminatingCount + plan.delete.length;
  if (failure && finalTerminating === 0) conditions = setCondition(conditions, { ...failure, type: 'Failed' }, nowIso);
  let completionTime = old.completionTime;
  if (complete && finalTerminating === 0 && active.length === 0) {
    conditions = setCondition(conditions, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: nowIso }, nowIso);
    completionTime ??= nowIso;
  }

  const status: JobStatus = {
    ...(conditions.length ? { conditions } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
    ...(active.length + plan.create.length ? { active: active.length + plan.create.length } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ...(indexed && doneIndexes.size ? { completedIndexes: formatIndexes(doneIndexes) } : {}),
    terminating: finalTerminating,
    ready: active.filter(isPodReady).length,
    uncountedTerminatedPods: {},
  };
  plan.status = status;
  if (requeue !== undefined && requeue > 0) plan.requeueAfterMs = requeue;
  return plan;
}

const minDefined = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** Creations and deletions towards the wanted number of active pods; returns a backoff requeue. */
function manageActive(job: Job, plan: JobPlan, active: Pod[], doneIndexes: Set<number>, succeeded: number, failedPods: Pod[], failed: number, now: number): number | undefined {
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  let want: number;
  if (job.spec.completionMode === 'Indexed') {
    const seen = new Set<number>();
    for (const p of active) {
      const i = podIndex(p);
      if (i === undefined || i >= (completions ?? 0) || doneIndexes.has(i) || seen.has(i)) plan.delete.push(p);
      else seen.add(i);
    }
    const room = Math.max(0, parallelism - seen.size);
    for (let i = 0; i < (completions ?? 0) && plan.create.length < Math.min(room, BURST); i++) {
      if (!doneIndexes.has(i) && !seen.has(i)) plan.create.push({ index: i });
    }
  } else {
    want = completions === undefined ? (succeeded > 0 ? active.length : parallelism) : Math.max(0, Math.min(parallelism, completions - succeeded));
    if (active.length > want) plan.delete.push(...podsToDelete(active, active, active.length - want));
    else for (let n = active.length; n < want && plan.create.length < BURST; n++) plan.create.push({});
  }
  if (plan.create.length === 0 || failed === 0) return undefined;
  // Exponential backoff after failures: 10 s, 20 s, 40 s, ... up to 6 min since the last one.
  const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failed - 1), BACKOFF_MAX_MS);
  const wait = lastFailure(failedPods) + delay - now;
  if (wait <= 0) return undefined;
  plan.create = [];
  return wait;
}
