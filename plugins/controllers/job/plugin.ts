import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { candidatesFrom } from '../workloads/claim.js';
import { JOBS, PODS, ignoreNotFound, ownedPods, runController, splitKey } from '../workloads/controller.js';
import { Expectations } from '../workloads/expectations.js';
import { PodControl } from '../workloads/pod-control.js';
import type { Pod } from '../workloads/pods.js';
import { planJob } from './decide.js';
import { jobPod } from './pod.js';
import { type Job, type JobStatus, TRACKING_FINALIZER } from './types.js';

/** Runs Jobs' pods to completion and counts them exactly once (upstream's job controller). */
export function jobPlugin(): Plugin {
  return {
    name: 'job-controller',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:job-controller',
    async run(ctx: PluginContext) {
      const expectations = new Expectations(() => ctx.clock.now());
      const control = new PodControl(ctx, expectations, 'batch/v1', 'Job');
      const jobs = ctx.informers.informer(JOBS);
      const candidates = candidatesFrom(ctx.informers.informer(PODS));
      await runController(ctx, {
        primary: JOBS,
        forget: (key) => expectations.forget(key),
        related: [
          ownedPods('Job', expectations),
        ],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const job = jobs.lister.get(ns, name) as Job | undefined;
          if (!job) return undefined;
          const plan = planJob(job, candidates(job) as Pod[], ctx.clock.now(), expectations.satisfied(key));
          await control.claim(job, plan.adopt, plan.release);
          let current: Job = job;
          const writeStatus = async (status: JobStatus) => {
            current = (await ctx.client.update(JOBS, ns, { ...current, status }, { subresource: 'status' })) as Job;
          };
          // Record finished pods before their finalizers go, so a crash in between loses no count.
          if (plan.interim) await writeStatus(plan.interim);
          await Promise.all(plan.removeFinalizers.map((p) => removeFinalizer(ctx, p)));
          await control.create(key, job, plan.create.length, (i) => jobPod(job, plan.create[i]!.index));
          await control.delete(key, job, plan.delete);
          if (!jsonEqual(plan.status, current.status ?? {})) await writeStatus(plan.status);
          const finished = plan.status.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
          const was = job.status?.conditions?.find((c) => c.type === finished?.type && c.status === 'True');
          if (finished && !was) {
            if (finished.type === 'Complete') ctx.events.event(job, 'Normal', 'Completed', 'Complete', 'Job completed');
            else ctx.events.event(job, 'Warning', finished.reason ?? 'Failed', 'Fail', finished.message ?? 'Job failed');
          }
          return plan.requeueAfterMs;
        },
      });
    },
  };
}

async function removeFinalizer(ctx: PluginContext, pod: Pod): Promise<void> {
  const rest = (pod.metadata.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
  const patch = { metadata: { finalizers: rest.length ? rest : null, resourceVersion: pod.metadata.resourceVersion } };
  await ignoreNotFound(ctx.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, 'merge', patch));
}
