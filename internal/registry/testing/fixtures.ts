import { fieldErrors, type FieldError, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';
import type { ResourceStrategy } from '../strategy.js';

/**
 * Small definitions for the registry's own tests, shaped like the built-ins they imitate
 * (the real built-ins live in internal/registry/resources).
 */
export function simpleStrategy(over: Partial<ResourceStrategy> = {}): ResourceStrategy {
  return {
    namespaced: true,
    prepareForCreate: () => {},
    validate: () => [],
    prepareForUpdate: () => {},
    validateUpdate: () => [],
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    ...over,
  };
}

/** ConfigMap-like: no spec, no generation, unconditional updates allowed. */
export const configMaps: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  namespaced: true,
  strategy: simpleStrategy({
    validate(obj) {
      const errs: FieldError[] = [];
      const data = obj.data as Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(data ?? {})) if (typeof v !== 'string') errs.push(fieldErrors.invalid(`data[${k}]`, v, 'must be a string'));
      return errs;
    },
  }),
};

const keepStatus: ResourceStrategy['prepareForUpdate'] = (obj, old) => {
  if ('status' in old) obj.status = old.status;
  else delete obj.status;
};

/** Deployment-like: spec/status, generation, status + scale subresources, conditional updates only. */
export const deployments: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  strategy: simpleStrategy({
    allowUnconditionalUpdate: true,
    prepareForCreate: (obj) => {
      delete obj.status;
    },
    prepareForUpdate: keepStatus,
    validate: (obj) => validateReplicas(obj),
    validateUpdate: (obj) => validateReplicas(obj),
    selectableFields: (obj) => ({ 'status.replicas': String((obj.status as { replicas?: number } | undefined)?.replicas ?? 0) }),
  }),
  subresources: [
    { name: 'status', verbs: ['get', 'patch', 'update'] },
    {
      name: 'scale',
      verbs: ['get', 'patch', 'update'],
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
    },
  ],
};

function validateReplicas(obj: KubeObject): FieldError[] {
  const r = (obj.spec as { replicas?: unknown } | undefined)?.replicas;
  if (r !== undefined && (typeof r !== 'number' || r < 0)) return [fieldErrors.invalid('spec.replicas', r, 'must be greater than or equal to 0')];
  return [];
}

/** Namespace-like: Active on create, spec.finalizers ["kubernetes"], Terminating on delete. */
export const namespaces: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  trackGeneration: false,
  strategy: simpleStrategy({
    namespaced: false,
    prepareForCreate(obj) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    },
    prepareForUpdate: keepStatus,
    prepareForDelete(obj) {
      const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      if (finalizers.length === 0) return false;
      obj.status = { phase: 'Terminating' };
      return true;
    },
  }),
  subresources: [
    { name: 'status', verbs: ['get', 'patch', 'update'] },
    {
      name: 'finalize',
      verbs: ['update'],
      strategy: simpleStrategy({
        namespaced: false,
        prepareForUpdate(obj, old) {
          const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers;
          const next = structuredClone(old);
          Object.keys(obj).forEach((k) => delete obj[k]);
          Object.assign(obj, next, { spec: { ...(next.spec as object), finalizers } });
        },
      }),
    },
  ],
};

/** Pod-like: graceful deletion once bound to a node; binding and eviction subresources added by tests. */
export const pods: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  trackGeneration: false,
  returnDeletedObject: true,
  strategy: simpleStrategy({
    prepareForUpdate: keepStatus,
    validateUpdate(obj, old) {
      const a = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      const b = (old.spec as { nodeName?: string } | undefined)?.nodeName;
      return a === b ? [] : [fieldErrors.forbidden('spec', 'pod updates may not change fields other than ...')];
    },
    selectableFields: (obj) => ({ 'spec.nodeName': (obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '' }),
    gracePeriodSeconds(obj, requested) {
      if (!(obj.spec as { nodeName?: string } | undefined)?.nodeName) return 0;
      return requested ?? 30;
    },
  }),
};

/** A cluster-scoped kind for scope tests. */
export const clusterThings: ResourceDefinition = {
  group: 'example.com',
  version: 'v1',
  kind: 'Thing',
  listKind: 'ThingList',
  plural: 'things',
  singular: 'thing',
  namespaced: false,
  strategy: simpleStrategy({ namespaced: false }),
};
