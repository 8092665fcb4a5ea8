import { ApiError, apiErrors, type KubeObject } from '../../../../api/index.js';
import type { SubresourceHandler } from '../../../definition.js';
import type { ApiResponse } from '../../../request.js';
import { child, get, isObj, objs, str } from '../../shared/object.js';
import { rfc3339 } from '../../shared/time.js';

const PODS = { group: '', resource: 'pods' };

function success(): ApiResponse {
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

/**
 * pods/binding (POST Binding {target: {kind: Node, name}}): sets spec.nodeName once and marks the
 * PodScheduled condition, as the scheduler expects. 409 when the pod is bound or being deleted.
 */
export const bindPod: SubresourceHandler = async (req, sc) => {
  if (req.verb !== 'create' || !req.name) throw apiErrors.methodNotAllowed();
  const binding = req.body;
  const podName = req.name;
  if (binding.metadata?.name && binding.metadata.name !== podName) {
    throw apiErrors.badRequest('name in URL does not match name in Binding object');
  }
  const node = str(get(binding, 'target', 'name'));
  const kind = str(get(binding, 'target', 'kind'));
  if (!node || (kind !== '' && kind !== 'Node')) {
    throw apiErrors.invalid('Binding', podName, [{ type: 'FieldValueRequired', field: 'target.name', detail: 'a Node target is required' }]);
  }
  await sc.store.mutate(sc.ctx, podName, (pod) => assign(pod, binding, node, sc.ctx.now), { dryRun: sc.ctx.dryRun });
  return success();
};

function assign(pod: KubeObject, binding: KubeObject, node: string, now: number): KubeObject {
  const name = pod.metadata.name ?? '';
  if (pod.metadata.deletionTimestamp) {
    throw apiErrors.conflict(PODS, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  }
  const spec = child(pod, 'spec');
  if (str(spec.nodeName)) throw apiErrors.conflict(PODS, name, `pod ${name} is already assigned to node "${str(spec.nodeName)}"`);
  spec.nodeName = node;
  if (isObj(binding.metadata?.annotations)) {
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
  }
  const status = child(pod, 'status');
  const conditions = objs(status.conditions).filter((c) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) });
  status.conditions = conditions;
  return pod;
}

/**
 * pods/eviction (POST policy/v1 Eviction): deletes the pod with the Eviction's deleteOptions.
 * PodDisruptionBudgets are not consulted here (the handler sees only the pods store).
 */
export const evictPod: SubresourceHandler = async (req, sc) => {
  if (req.verb !== 'create' || !req.name) throw apiErrors.methodNotAllowed();
  const opts = isObj(req.body.deleteOptions) ? req.body.deleteOptions : {};
  const gracePeriodSeconds = typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined;
  const preconditions = isObj(opts.preconditions) ? (opts.preconditions as { uid?: string; resourceVersion?: string }) : undefined;
  try {
    await sc.store.delete(sc.ctx, req.name, {
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      ...(preconditions ? { preconditions } : {}),
      dryRun: sc.ctx.dryRun,
    });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw apiErrors.internal(String(err), err);
  }
  return success();
};
