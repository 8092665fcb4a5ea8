import { apiErrors, type FieldError, type KubeObject, fieldErrors } from '../../../../api/index.js';
import type { RequestContext, WriteFinish } from '../../../strategy.js';
import { immutable } from '../../shared/meta.js';
import { arr, child, get, isObj, objs, setDefault, str, type Obj } from '../../shared/object.js';
import { defineStrategy, subresourceStrategy, type BuiltStrategy } from '../../shared/strategy.js';
import { nameIsDNS1035Label } from '../../shared/validation.js';
import { serviceHoldings, type ServiceAllocator } from './allocator.js';
import { validateServiceSpec } from './validation.js';

const WITH_NODE_PORTS = new Set(['NodePort', 'LoadBalancer']);

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

/**
 * Reserves what a Service's spec holds (upstream's allocateCreate/allocateUpdate): fills in a
 * cluster IP and node ports left out, claims requested ones, and keeps what an update leaves out.
 * Every new claim is a record the store arbitrates; the result rolls them back when the write does
 * not go through, and releases what the old object held and the new one does not once it does.
 */
async function reserve(svc: KubeObject, old: KubeObject | undefined, allocator: ServiceAllocator, ctx: RequestContext): Promise<WriteFinish> {
  const spec = child(svc, 'spec');
  const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
  const dry = ctx.dryRun;
  const taken: (() => Promise<void>)[] = [];
  const errs: FieldError[] = [];
  const oldSpec = (old && isObj(old.spec) ? old.spec : {}) as Obj;
  if (spec.type === 'ExternalName') {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) delete spec[k];
  } else {
    if (!str(spec.clusterIP) && str(arr(spec.clusterIPs)[0])) spec.clusterIP = arr(spec.clusterIPs)[0];
    if (!str(spec.clusterIP)) {
      const ip = await allocator.allocateClusterIP(owner, dry);
      if (ip) {
        spec.clusterIP = ip;
        taken.push(() => allocator.releaseClusterIP(ip, owner));
      } else errs.push({ type: 'InternalError', field: 'spec.clusterIPs', detail: 'failed to allocate a serviceIP: range is full' });
    } else if (spec.clusterIP !== 'None' && spec.clusterIP !== oldSpec.clusterIP) {
      const ip = str(spec.clusterIP);
      const problem = await allocator.claimClusterIP(ip, owner, dry);
      if (problem) errs.push(fieldErrors.invalid('spec.clusterIPs', [spec.clusterIP], problem));
      else taken.push(() => allocator.releaseClusterIP(ip, owner));
    }
    if (str(spec.clusterIP)) spec.clusterIPs = [spec.clusterIP];
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  }
  if (WITH_NODE_PORTS.has(str(spec.type)) && spec.allocateLoadBalancerNodePorts !== false) {
    const oldPorts = WITH_NODE_PORTS.has(str(oldSpec.type)) ? objs(oldSpec.ports) : [];
    const ports = objs(spec.ports);
    for (const [i, p] of ports.entries()) {
      if (!p.nodePort) {
        const port = await allocator.allocateNodePort(owner, dry);
        if (port) {
          p.nodePort = port;
          taken.push(() => allocator.releaseNodePort(port, owner));
        } else errs.push({ type: 'InternalError', field: `spec.ports[${i}].nodePort`, detail: 'range is full' });
      } else if (!oldPorts.some((o) => o.nodePort === p.nodePort) && !ports.slice(0, i).some((o) => o.nodePort === p.nodePort)) {
        const port = Number(p.nodePort);
        const problem = await allocator.claimNodePort(port, owner, dry);
        if (problem) errs.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, problem));
        else taken.push(() => allocator.releaseNodePort(port, owner));
      }
    }
  }
  const rollback = async () => {
    if (!dry) for (const undo of taken) await undo();
  };
  if (errs.length) {
    await rollback();
    throw apiErrors.invalid('Service', owner.name, errs);
  }
  return async (stored) => {
    if (!stored) return rollback();
    if (old && !dry) await releaseDropped(old, svc, allocator);
  };
}

/**
 * An update that leaves out what was allocated keeps it (upstream patchAllocatedValues): the cluster
 * IP and its families, and the node port of a port that stays. Runs before validation, so leaving
 * them out is not a change of an immutable field.
 */
function keepAllocated(svc: KubeObject, old: KubeObject): void {
  const spec = child(svc, 'spec');
  const oldSpec = isObj(old.spec) ? old.spec : {};
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && !str(spec.clusterIP) && !str(arr(spec.clusterIPs)[0]) && str(oldSpec.clusterIP)) {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) if (oldSpec[k] !== undefined) spec[k] = oldSpec[k];
  }
  if (!WITH_NODE_PORTS.has(str(spec.type)) || !WITH_NODE_PORTS.has(str(oldSpec.type))) return;
  const oldPorts = objs(oldSpec.ports);
  for (const p of objs(spec.ports)) {
    const before = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
    if (!p.nodePort && before?.nodePort) p.nodePort = before.nodePort;
  }
}

/** Releases what `old` held and `now` does not (a type change, a removed port). */
async function releaseDropped(old: KubeObject, now: KubeObject | undefined, allocator: ServiceAllocator): Promise<void> {
  const was = serviceHoldings(old);
  const is: { clusterIPs: string[]; nodePorts: number[] } = now ? serviceHoldings(now) : { clusterIPs: [], nodePorts: [] };
  for (const ip of was.clusterIPs) if (!is.clusterIPs.includes(ip)) await allocator.releaseClusterIP(ip, was.owner);
  for (const port of was.nodePorts) if (!is.nodePorts.includes(port)) await allocator.releaseNodePort(port, was.owner);
}

function validateUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const type = get(svc, 'spec', 'type');
  const oldType = get(old, 'spec', 'type');
  if (type === 'ExternalName' || oldType === 'ExternalName') return [];
  return immutable('spec.clusterIP', get(svc, 'spec', 'clusterIP'), get(old, 'spec', 'clusterIP'));
}

/** The Service strategy around an allocator (cluster IPs from 10.96.0.0/12, node ports 30000-32767). */
export function createServiceStrategy(allocator: ServiceAllocator): BuiltStrategy {
  const main = defineStrategy({
    namespaced: true,
    name: nameIsDNS1035Label,
    status: true,
    defaults,
    onCreate(svc) {
      svc.status = { loadBalancer: {} };
    },
    onUpdate: keepAllocated,
    validate: (svc) => validateServiceSpec(svc),
    validateUpdate,
  });
  return Object.assign(main, {
    beginCreate: (svc: KubeObject, ctx: RequestContext) => reserve(svc, undefined, allocator, ctx),
    beginUpdate: (svc: KubeObject, old: KubeObject, ctx: RequestContext) => reserve(svc, old, allocator, ctx),
    afterDelete: (svc: KubeObject) => releaseDropped(svc, undefined, allocator),
  });
}

export const serviceStatusStrategy = (main: BuiltStrategy) => subresourceStrategy(main);
