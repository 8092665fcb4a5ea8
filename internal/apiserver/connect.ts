import { ApiError, apiErrors, type KubeObject } from '../api/index.js';
import type { Handler, UserInfo } from '../registry/index.js';
import type { ResolvedRequest } from './resolve.js';

/**
 * "Connect" subresources stream to a kubelet (logs, exec, attach, port-forward, proxy). kplane does
 * not proxy to kubelets yet, so these answer quickly with the Status upstream gives when no kubelet
 * can serve them: kubectl then prints a clear error instead of hanging or upgrading. The parent
 * object is read first (through the Handler, so authorization applies and a missing pod is 404).
 */
export const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

export function isConnect(r: ResolvedRequest): boolean {
  return r.subresource !== undefined && CONNECT_SUBRESOURCES.has(r.subresource);
}

/** The label kplane's hollow-nodes plugin puts on the Nodes it simulates. */
const HOLLOW_NODE_LABEL = 'kplane.io/hollow-node';

async function isSimulatedNode(handler: Handler, user: UserInfo, node: string): Promise<boolean> {
  try {
    const res = await handler.handle({ user, verb: 'get', group: '', version: 'v1', resource: 'nodes', name: node, params: {} });
    return (res.body as KubeObject).metadata?.labels?.[HOLLOW_NODE_LABEL] === 'true';
  } catch {
    return false; // no such node, or the user may not read nodes: the generic answer below
  }
}

export async function refuseConnect(handler: Handler, user: UserInfo, r: ResolvedRequest): Promise<never> {
  const res = await handler.handle({
    user,
    verb: 'get',
    group: r.def.group,
    version: r.def.version,
    resource: r.def.plural,
    name: r.name!,
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    params: {},
  });
  const obj = res.body as KubeObject;
  const name = obj.metadata?.name ?? r.name!;
  if (r.def.plural === 'pods' && r.subresource !== 'proxy') {
    const node = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!node) throw apiErrors.badRequest(`pod ${name} does not have a host assigned`);
    if (await isSimulatedNode(handler, user, node)) {
      const what = r.subresource === 'log' ? 'has no logs' : `cannot ${r.subresource === 'portforward' ? 'forward ports' : r.subresource}`;
      throw apiErrors.badRequest(`pod ${name} runs on the simulated node "${node}" (kplane hollow node): its containers are not real processes, so it ${what}`);
    }
    throw new ApiError('InternalError', `no kubelet connection to node "${node}" is available: kplane does not proxy ${r.subresource} to kubelets`, { code: 500 });
  }
  throw new ApiError('ServiceUnavailable', `the ${r.subresource} subresource of ${r.def.plural} "${name}" is not available: kplane does not proxy to nodes or services`, { code: 503 });
}
