import { apiErrors, type KubeObject } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { get } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';

/** One component's health as `kubectl get componentstatuses` shows it. */
export interface ComponentHealth {
  name: string;
  healthy: boolean;
  /** Shown in the MESSAGE column ("ok" when healthy, as upstream). */
  message?: string;
  /** Shown in the ERROR column when unhealthy. */
  error?: string;
}

/** Asked on every read: the components this server reports on, in display order. */
export type ComponentProbe = () => Promise<ComponentHealth[]>;

/** Upstream's Warning on every ComponentStatus request. */
export const COMPONENT_STATUS_DEPRECATION = 'v1 ComponentStatus is deprecated in v1.19+';

export function componentStatusObject(c: ComponentHealth): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: c.healthy ? 'True' : 'False' };
  if (c.message) condition.message = c.message;
  if (c.error) condition.error = c.error;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: c.name }, conditions: [condition] } as KubeObject;
}

function condition(obj: KubeObject): Record<string, string> {
  const list = get(obj, 'conditions');
  return (Array.isArray(list) ? list[0] : undefined) ?? {};
}

/**
 * core/v1 componentstatuses (deprecated upstream since 1.19, still served and still what
 * `kubectl get cs` reads): never stored, each read asks the probe. kube-apiserver probes the
 * scheduler, the controller manager and each etcd server; kplane's probe reports its own
 * equivalents (the plugins' Leases and the datastore).
 */
export function componentStatusDefinition(probe: ComponentProbe): ResourceDefinition {
  const gr = { group: '', resource: 'componentstatuses' };
  return {
    group: '',
    version: 'v1',
    kind: 'ComponentStatus',
    listKind: 'ComponentStatusList',
    plural: 'componentstatuses',
    singular: 'componentstatus',
    shortNames: ['cs'],
    namespaced: false,
    verbs: ['get', 'list'],
    strategy: defineStrategy({ namespaced: false }),
    columns: [
      { name: 'Name', type: 'string', format: 'name', priority: 0, cell: (o) => o.metadata.name ?? '' },
      { name: 'Status', type: 'string', priority: 0, cell: (o) => (condition(o).status === 'True' ? 'Healthy' : 'Unhealthy') },
      { name: 'Message', type: 'string', priority: 0, cell: (o) => condition(o).message ?? '' },
      { name: 'Error', type: 'string', priority: 0, cell: (o) => condition(o).error ?? '' },
    ],
    deprecationWarning: COMPONENT_STATUS_DEPRECATION,
    serve: async (req) => {
      if (req.verb === 'get') {
        const found = (await probe()).find((c) => c.name === req.name);
        if (!found) throw apiErrors.notFound(gr, req.name ?? '');
        return { code: 200, body: componentStatusObject(found) };
      }
      if (req.verb === 'list') {
        const items = (await probe()).map(componentStatusObject);
        return { code: 200, body: { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items } };
      }
      throw apiErrors.methodNotAllowed();
    },
  };
}
