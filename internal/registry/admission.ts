import { ApiError, apiErrors, groupResourceString, type KubeObject } from '../api/index.js';
import type { ResourceDefinition } from './definition.js';
import type { UserInfo } from './strategy.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What an admission plugin sees (after Kubernetes' admission.Attributes). */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  definition: ResourceDefinition;
  /** Set when a rule matched through another version of the resource (matchPolicy Equivalent): the version the client asked for. */
  requestDefinition?: ResourceDefinition;
  subresource?: string;
  namespace?: string;
  /** "" for a create with generateName (the name is not chosen yet). */
  name: string;
  /** The new object (CREATE, UPDATE); mutating plugins may change it in admit. */
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
  /** Warnings for the client (Warning headers), e.g. PodSecurity's "would violate"; plugins append. */
  warnings?: string[];
  /** The request's audit annotations, when someone records them (see ApiRequest.auditAnnotations). */
  auditAnnotations?: Map<string, string>;
}

/**
 * One admission plugin. The pipeline runs every plugin's admit (mutating) and then every
 * plugin's validate, after the strategy has defaulted and validated the object and before it is
 * stored (for DELETE: before the store is asked). Refuse by throwing an ApiError.
 */
export interface AdmissionPlugin {
  name: string;
  admit?(attrs: AdmissionAttributes): void | Promise<void>;
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
}

/** Runs every admit, then every validate; resolves with the warnings the plugins added. */
export async function runAdmission(plugins: readonly AdmissionPlugin[], attrs: AdmissionAttributes): Promise<string[]> {
  attrs.warnings ??= [];
  for (const p of plugins) await p.admit?.(attrs);
  for (const p of plugins) await p.validate?.(attrs);
  return attrs.warnings;
}

/** Namespaces that may never be deleted (upstream's immortal namespaces). */
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/**
 * NamespaceLifecycle: a create inside a namespace needs the namespace to exist (404
 * `namespaces "x" not found`) and not be terminating (403 "unable to create new content in
 * namespace x because it is being terminated"); the immortal namespaces cannot be deleted.
 * `getNamespace` reads a Namespace (undefined when missing).
 */
export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a) {
      const isNamespaceResource = a.definition.group === '' && a.definition.plural === 'namespaces';
      if (a.operation === 'DELETE' && isNamespaceResource && !a.subresource && IMMORTAL_NAMESPACES.has(a.name)) {
        throw forbidden(a, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !a.definition.namespaced || !a.namespace || a.subresource) return;
      const ns = await getNamespace(a.namespace);
      if (!ns) throw apiErrors.notFound({ group: '', resource: 'namespaces' }, a.namespace);
      const phase = (ns.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Terminating' || ns.metadata.deletionTimestamp) {
        throw forbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
      }
    },
  };
}

function forbidden(a: AdmissionAttributes, why: string): ApiError {
  const gr = { group: a.definition.group, resource: a.definition.plural };
  const grs = groupResourceString(gr);
  const message = a.name ? `${grs} "${a.name}" is forbidden: ${why}` : `${grs} is forbidden: ${why}`;
  return new ApiError('Forbidden', message, { details: { ...(a.name ? { name: a.name } : {}), ...(gr.group ? { group: gr.group } : {}), kind: gr.resource } });
}
