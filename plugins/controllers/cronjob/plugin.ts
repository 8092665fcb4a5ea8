import { isApiError } from '../../../internal/api/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { JOBS, ignoreNotFound, runController, splitKey } from '../workloads/controller.js';
import { type CronJob, type JobLike, planCronJob } from './decide.js';

const CRONJOBS = { group: 'batch', version: 'v1', resource: 'cronjobs' };

/** Starts Jobs on CronJobs' schedules (upstream's cronjob controller v2). */
export function cronJobPlugin(): Plugin {
  return {
    name: 'cronjob-controller',
    election: 'leader',
    user: 'system:serviceaccount:kube-system:cronjob-controller',
    async run(ctx: PluginContext) {
      const cronJobs = ctx.informers.informer(CRONJOBS);
      const jobs = ctx.informers.informer(JOBS);
      await runController(ctx, {
        primary: CRONJOBS,
        workers: 2,
        related: [{ ref: JOBS, ownerKind: 'CronJob' }],
        async sync(key) {
          const [ns, name] = splitKey(key);
          const cj = cronJobs.lister.get(ns, name) as CronJob | undefined;
          if (!cj) return undefined;
          const owned = (jobs.lister.list(ns) as JobLike[]).filter((j) => j.metadata.ownerReferences?.some((r) => r.controller && r.uid === cj.metadata.uid));
          const plan = planCronJob(cj, owned, ctx.clock.now());
          for (const e of plan.events) ctx.events.event(cj, e.type, e.reason, e.reason, e.message);
          for (const j of plan.delete) await ignoreNotFound(ctx.client.delete(JOBS, ns, j.metadata.name!, { propagationPolicy: 'Background' }));
          const status = { ...plan.status };
          if (plan.create) {
            let job: JobLike;
            try {
              job = (await ctx.client.create(JOBS, ns, plan.create)) as JobLike;
              ctx.events.event(cj, 'Normal', 'SuccessfulCreate', 'Create', `Created job ${job.metadata.name}`);
            } catch (err) {
              if (!isApiError(err, 'AlreadyExists')) {
                ctx.events.event(cj, 'Warning', 'FailedCreate', 'Create', `Error creating job: ${(err as Error).message}`);
                throw err;
              }
              job = (await ctx.client.get(JOBS, ns, plan.create.metadata.name!)) as JobLike;
            }
            status.active = [...(status.active ?? []), { kind: 'Job', namespace: ns, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion }];
          }
          if (!status.active?.length) delete status.active;
          if (!jsonEqual(status, cj.status ?? {})) await ctx.client.update(CRONJOBS, ns, { ...cj, status }, { subresource: 'status' });
          return plan.requeueAfterMs;
        },
      });
    },
  };
}
