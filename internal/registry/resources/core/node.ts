import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, objs, str } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validate(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(get(node, 'spec', 'taints')).forEach((t, i) => {
    if (!str(t.key)) errs.push(fieldErrors.required(`spec.taints[${i}].key`, ''));
    if (!TAINT_EFFECTS.includes(str(t.effect))) errs.push(fieldErrors.notSupported(`spec.taints[${i}].effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** Nodes are created by kubelets with their status, so create keeps it. */
export const nodeStrategy = defineStrategy({
  namespaced: false,
  status: true,
  clearStatusOnCreate: false,
  validate,
  selectableFields: (node) => ({ 'spec.unschedulable': String(get(node, 'spec', 'unschedulable') === true) }),
});

/** "Ready", "NotReady,SchedulingDisabled", "Unknown" (only the Ready condition counts). */
function nodeStatus(node: KubeObject): string {
  const ready = objs(get(node, 'status', 'conditions')).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (get(node, 'spec', 'unschedulable') === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Roles from node-role.kubernetes.io/<role> label keys and the kubernetes.io/role label value. */
export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const address = (type: string) => (node: KubeObject) =>
  str(objs(get(node, 'status', 'addresses')).find((a) => a.type === type)?.address) || '<none>';
const info = (key: string) => (node: KubeObject) => str(get(node, 'status', 'nodeInfo', key)) || '<unknown>';

export function nodeDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'nodes'), {
    strategy: nodeStrategy,
    cells: {
      Status: nodeStatus,
      Roles: nodeRoles,
      Version: (node) => str(get(node, 'status', 'nodeInfo', 'kubeletVersion')),
      'Internal-IP': address('InternalIP'),
      'External-IP': address('ExternalIP'),
      'OS-Image': info('osImage'),
      'Kernel-Version': info('kernelVersion'),
      'Container-Runtime': info('containerRuntimeVersion'),
    },
    subresources: { status: { strategy: subresourceStrategy(nodeStrategy) } },
  });
}
