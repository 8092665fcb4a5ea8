import type { ResourceDefinition, SubresourceDefinition } from '../../definition.js';
import { configMapDefinition } from './configmap.js';
import { endpointsDefinition } from './endpoints.js';
import { eventDefinition } from './event.js';
import { limitRangeDefinition } from './limitrange.js';
import { namespaceDefinition } from './namespace.js';
import { nodeDefinition } from './node.js';
import type { PodTolerationSeconds } from './pod/defaults.js';
import { podDefinition } from './pod/definition.js';
import { podTemplateDefinition } from './podtemplate.js';
import { replicationControllerDefinition } from './replicationcontroller.js';
import { resourceQuotaDefinition } from './resourcequota.js';
import { secretDefinition } from './secret.js';
import { serviceAccountDefinition } from './serviceaccount.js';
import type { ServiceAllocator } from './service/allocator.js';
import { serviceDefinition } from './service/definition.js';
import { persistentVolumeClaimDefinition, persistentVolumeDefinition } from './volumes.js';

/** core/v1 in discovery order. */
export function coreDefinitions(allocator: ServiceAllocator, serviceAccountToken?: SubresourceDefinition, podTolerationSeconds?: PodTolerationSeconds): ResourceDefinition[] {
  return [
    configMapDefinition(),
    endpointsDefinition(),
    eventDefinition(),
    limitRangeDefinition(),
    namespaceDefinition(),
    nodeDefinition(),
    persistentVolumeClaimDefinition(),
    persistentVolumeDefinition(),
    podDefinition(podTolerationSeconds),
    podTemplateDefinition(),
    replicationControllerDefinition(),
    resourceQuotaDefinition(),
    secretDefinition(),
    serviceAccountDefinition(serviceAccountToken),
    serviceDefinition(allocator),
  ];
}
