// internal/registry/resources: every built-in resource as a definition (names, verbs and Table
// columns of upstream 1.33, see upstream/) plus its strategy. Imports internal/api, internal/util and
// the registry's own contract files (definition, strategy, subresources for pods/binding+eviction).
// Wiring: pass `serviceAllocator: createServiceAllocator({ ips, ports })` with reservation stores
// kept in storage, so allocation survives restarts and spans API servers.
import type { ResourceDefinition, SubresourceDefinition } from '../definition.js';
import { admissionregistrationDefinitions } from './admissionregistration/index.js';
import { apiregistrationDefinitions } from './apiregistration/index.js';
import { appsDefinitions } from './apps/index.js';
import { autoscalingDefinitions } from './autoscaling/index.js';
import { batchDefinitions } from './batch/index.js';
import { certificatesDefinitions } from './certificates/index.js';
import { coordinationDefinitions } from './coordination/lease.js';
import { coreDefinitions } from './core/index.js';
import { discoveryDefinitions } from './discovery/index.js';
import { eventsDefinitions } from './events/index.js';
import { flowcontrolDefinitions } from './flowcontrol/index.js';
import { networkingDefinitions } from './networking/index.js';
import { nodeDefinitions } from './node/index.js';
import { policyDefinitions } from './policy/index.js';
import { rbacDefinitions } from './rbac/index.js';
import { schedulingDefinitions } from './scheduling/index.js';
import { storageDefinitions } from './storage/index.js';
import { createServiceAllocator, type ServiceAllocator } from './core/service/allocator.js';
import type { PodTolerationSeconds } from './core/pod/defaults.js';

export { createServiceAllocator, memoryReservations, serviceHoldings, DEFAULT_SERVICE_CIDR, DEFAULT_NODE_PORTS } from './core/service/allocator.js';
export type { ServiceAllocator, ServiceAllocatorOptions, ReservationStore, Owner } from './core/service/allocator.js';
export { planRepair, type RepairPlan, type ReservationRecord } from './core/service/repair.js';
export { humanDuration } from './shared/time.js';
export { SYSTEM_PRIORITY_CLASSES } from './scheduling/index.js';
export { componentStatusDefinition, COMPONENT_STATUS_DEPRECATION, type ComponentHealth, type ComponentProbe } from './core/componentstatus.js';
export { DEFAULT_TOLERATION_SECONDS, type PodTolerationSeconds } from './core/pod/defaults.js';

export interface BuiltinOptions {
  /** Cluster IP and node port allocation for Services; in-memory reservations when absent. */
  serviceAllocator?: ServiceAllocator;
  /** serviceaccounts/token (TokenRequest); absent: the subresource is listed but answers 404. */
  serviceAccountToken?: SubresourceDefinition;
  /** tolerationSeconds of the not-ready/unreachable tolerations new pods get (300 each when absent). */
  podTolerationSeconds?: PodTolerationSeconds;
}

/** All built-in resources, grouped as discovery lists them. Build once per server. */
export function builtinDefinitions(opts: BuiltinOptions = {}): ResourceDefinition[] {
  const allocator = opts.serviceAllocator ?? createServiceAllocator();
  return [
    ...coreDefinitions(allocator, opts.serviceAccountToken, opts.podTolerationSeconds),
    ...admissionregistrationDefinitions(),
    ...apiregistrationDefinitions(),
    ...appsDefinitions(),
    ...autoscalingDefinitions(),
    ...batchDefinitions(),
    ...certificatesDefinitions(),
    ...coordinationDefinitions(),
    ...discoveryDefinitions(),
    ...eventsDefinitions(),
    ...flowcontrolDefinitions(),
    ...networkingDefinitions(),
    ...nodeDefinitions(),
    ...policyDefinitions(),
    ...rbacDefinitions(),
    ...schedulingDefinitions(),
    ...storageDefinitions(),
  ];
}
