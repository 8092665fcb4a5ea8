import type { ResourceDefinition } from '../../definition.js';
import { controllerRevisionDefinition } from './controllerrevision.js';
import { daemonSetDefinition } from './daemonset.js';
import { deploymentDefinition } from './deployment.js';
import { replicaSetDefinition } from './replicaset.js';
import { statefulSetDefinition } from './statefulset.js';

export function appsDefinitions(): ResourceDefinition[] {
  return [controllerRevisionDefinition(), daemonSetDefinition(), deploymentDefinition(), replicaSetDefinition(), statefulSetDefinition()];
}
