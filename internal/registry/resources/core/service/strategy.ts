import { type FieldError, type KubeObject, fieldErrors } from '../../../../api/index.js';
import type { RequestContext } from '../../../strategy.js';
import { immutable } from '../../shared/meta.js';
import { arr, child, get, isObj, objs, setDefault, str, type Obj } from '../../shared/object.js';
import { defineStrategy, subresourceStrategy, type BuiltStrategy } from '../../shared/strategy.js';
import { nameIsDNS1035Label } from '../../shared/validation.js';
import type { ServiceAllocator } from './allocator.js';
import { validateServiceSpec } from './validation.js';

const WITH_NODE_PORTS = new Set(['NodePort', 'LoadBalancer']);
const PROBLEMS = Symbol('serviceAllocationProblems');

/** SetDefaults_Service and the defaults the Service REST layer fills (families, policies). */
function defaults(svc: KubeObject): void {
  const spec = child(svc, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  for (const p of objs(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (WITH_NODE_PORTS.has(str(spec.type))) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
}

/** The allocation part of create/update; problems are kept for validate (which must not mutate). */
function allocate(svc: KubeObject, allocator: ServiceAllocator, ctx: RequestContext, old?: KubeObject): FieldError[] {
  const spec = child(svc, 'spec');
  const errs: FieldError[] = [];
  if (spec.type === 'ExternalName') {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) delete spec[k];
    return errs;
  }
  const oldSpec = (old && isObj(old.spec) ? old.spec : {}) as Obj;
  if (!str(spec.clusterIP) && str(arr(spec.clusterIPs)[0])) spec.clusterIP = arr(spec.clusterIPs)[0];
  if (!str(spec.clusterIP) && str(oldSpec.clusterIP)) {
    // An update that leaves the IP out keeps the allocated one (upstream patchAllocatedValues).
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) if (oldSpec[k] !== undefined) spec[k] = oldSpec[k];
  } else if (!str(spec.clusterIP)) {
    const ip = allocator.allocateClusterIP(ctx.dryRun);
    if (ip) spec.clusterIP = ip;
    else errs.push({ type: 'InternalError', field: 'spec.clusterIPs', detail: 'failed to allocate a serviceIP: range is full' });
  } else if (spec.clusterIP !== 'None' && spec.clusterIP !== oldSpec.clusterIP) {
    const problem = allocator.claimClusterIP(str(spec.clusterIP), ctx.dryRun);
    if (problem) errs.push(fieldErrors.invalid('spec.clusterIPs', [spec.clusterIP], problem));
  }
  if (str(spec.clusterIP)) spec.clusterIPs = [spec.clusterIP];
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  if (WITH_NODE_PORTS.has(str(spec.type)) && spec.allocateLoadBalancerNodePorts !== false) {
    const oldPorts = objs(oldSpec.ports);
    objs(spec.ports).forEach((p, i) => {
      const before = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (!p.nodePort && before?.nodePort) p.nodePort = before.nodePort;
      else if (!p.nodePort) {
        const port = allocator.allocateNodePort(ctx.dryRun);
        if (port) p.nodePort = port;
        else errs.push({ type: 'InternalError', field: `spec.ports[${i}].nodePort`, detail: 'range is full' });
      } else if (!oldPorts.some((o) => o.nodePort === p.nodePort)) {
        const problem = allocator.claimNodePort(Number(p.nodePort), ctx.dryRun);
        if (problem) errs.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, problem));
      }
    });
  }
  return errs;
}

function validateUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const type = get(svc, 'spec', 'type');
  const oldType = get(old, 'spec', 'type');
  if (type === 'ExternalName' || oldType === 'ExternalName') return [];
  return immutable('spec.clusterIP', get(svc, 'spec', 'clusterIP'), get(old, 'spec', 'clusterIP'));
}

/** The Service strategy around an allocator (cluster IPs from 10.96.0.0/12, node ports 30000-32767). */
export function createServiceStrategy(allocator: ServiceAllocator): BuiltStrategy {
  // Allocation problems found in prepare are reported by validate. They ride on the object under a
  // symbol: the store may copy the object between the two calls (spread keeps symbol keys, JSON
  // encoding for storage drops them), which loses entries of an identity-keyed map.
  const problems = {
    set: (svc: KubeObject, errs: FieldError[]) => void ((svc as { [PROBLEMS]?: FieldError[] })[PROBLEMS] = errs),
    get: (svc: KubeObject) => (svc as { [PROBLEMS]?: FieldError[] })[PROBLEMS],
  };
  const main = defineStrategy({
    namespaced: true,
    name: nameIsDNS1035Label,
    status: true,
    defaults,
    onCreate(svc, ctx) {
      problems.set(svc, allocate(svc, allocator, ctx));
      svc.status = { loadBalancer: {} };
    },
    onUpdate(svc, old, ctx) {
      problems.set(svc, allocate(svc, allocator, ctx, old));
    },
    validate: (svc) => [...(problems.get(svc) ?? []), ...validateServiceSpec(svc)],
    validateUpdate,
  });
  return Object.assign(main, {
    prepareForDelete(svc: KubeObject): boolean {
      if ((svc.metadata.finalizers ?? []).length === 0) {
        const ports = objs(get(svc, 'spec', 'ports')).map((p) => Number(p.nodePort)).filter((p) => p > 0);
        allocator.release(str(get(svc, 'spec', 'clusterIP')) || undefined, ports);
      }
      return false;
    },
  });
}

export const serviceStatusStrategy = (main: BuiltStrategy) => subresourceStrategy(main);
