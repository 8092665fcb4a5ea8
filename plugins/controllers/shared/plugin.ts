import { isApiError, type StatusReason } from '../../../internal/api/index.js';
import { runWorkers, type WorkQueue } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';

/**
 * The Lease all controllers of this package are elected under, as kube-controller-manager's
 * controllers share one: one node runs them all, and a takeover moves them together.
 */
export const CONTROLLER_LEASE = 'kube-controller-manager';

/**
 * The user of a controller: its upstream ServiceAccount in kube-system (kube-controller-manager's
 * --use-service-account-credentials), so upstream's `system:controller:<account>` role is all it may do.
 */
export const controllerUser = (account: string) => `system:serviceaccount:kube-system:${account}`;

/** A leader-elected controller under the shared Lease, acting as the ServiceAccount kube-system/<account>. */
export function controller(name: string, account: string, run: (ctx: PluginContext) => Promise<void>): Plugin {
  return { name, election: 'leader', lease: CONTROLLER_LEASE, user: controllerUser(account), run };
}

/** Runs a write, treating the given Status reasons as success (NotFound on a delete, AlreadyExists on a create). */
export async function tolerate<T>(write: () => Promise<T>, ...reasons: StatusReason[]): Promise<T | undefined> {
  try {
    return await write();
  } catch (err) {
    if (reasons.some((r) => isApiError(err, r))) return undefined;
    throw err;
  }
}

/** A reconcile error's log line. */
export function logFailure(ctx: PluginContext, key: unknown, err: unknown): void {
  ctx.log.warn({ key: String(key), err: err instanceof Error ? err.message : String(err) }, `${ctx.name}: sync failed; retrying`);
}

/**
 * The body of a queue-driven controller: once every informer it asked for has its first list,
 * `workers` reconcile keys until the plugin's signal aborts; a failed key is logged and retried
 * with its backoff.
 */
export async function reconcileQueue<K>(ctx: PluginContext, queue: WorkQueue<K>, workers: number, reconcile: (key: K) => Promise<void>): Promise<void> {
  if (!(await ctx.informers.waitForCacheSync(ctx.signal))) return;
  await runWorkers(queue, workers, ctx.signal, reconcile, (key, err) => logFailure(ctx, key, err));
}

/** An RFC 3339 timestamp of the plugin's clock, second precision as metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

