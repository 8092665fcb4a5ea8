import { labelSelectorAsQuery, type KubeObject, type LabelSelector } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';

/** A binding's paramRef (admissionregistration.k8s.io/v1). */
export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelector;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

/** Reads param objects of a kind: undefined when the kind is not served; `namespaced` says its scope. */
export interface ParamSource {
  resolve(paramKind: { apiVersion?: string; kind?: string }): { namespaced: boolean; list(namespace: string | undefined): Promise<KubeObject[]> } | undefined;
}

export type ParamsResult = { params: KubeObject[] } | { error: string } | { none: 'Allow' | 'Deny' };

/**
 * The params a binding selects for a request (upstream's dispatcher): the object named by
 * paramRef.name, or every object paramRef.selector matches; a namespaced paramKind is read in
 * paramRef.namespace, else in the request's namespace (a cluster-scoped request then has none to
 * read: a configuration error). No params → the binding's parameterNotFoundAction (Deny by
 * default); a paramKind that is not served or a missing paramRef → a configuration error, which
 * the policy's failurePolicy decides.
 */
export async function selectParams(paramKind: { apiVersion?: string; kind?: string }, ref: ParamRef | undefined, a: AdmissionAttributes, source: ParamSource): Promise<ParamsResult> {
  if (!ref) return { error: 'policy has paramKind but its binding has no paramRef' };
  const kind = source.resolve(paramKind);
  if (!kind) return { error: `paramKind ${paramKind.kind ?? ''} (${paramKind.apiVersion ?? ''}) is not served` };
  let namespace: string | undefined;
  if (kind.namespaced) {
    namespace = ref.namespace || (a.definition.namespaced ? a.namespace : undefined);
    if (!namespace) return { error: 'cannot use a namespaced paramRef without a namespace in a binding that matches a cluster-scoped resource' };
  }
  const all = await kind.list(namespace);
  const params = ref.name ? all.filter((o) => o.metadata.name === ref.name) : all.filter((o) => labelSelectorAsQuery(ref.selector ?? {}).matches(o.metadata.labels ?? {}));
  return params.length ? { params } : { none: ref.parameterNotFoundAction ?? 'Deny' };
}
