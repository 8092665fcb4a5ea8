import type { KubeObject } from '../../../internal/api/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { namespaceActive } from '../shared/namespace.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCaAction = { action: 'none' } | { action: 'create'; object: KubeObject } | { action: 'update'; object: KubeObject };

/**
 * What keeps `kube-root-ca.crt` in ns equal to the cluster CA: create it when missing, rewrite its
 * data (all of it; binaryData stays) and the description annotation when they differ, leave other metadata alone.
 * Nothing for a namespace being deleted.
 */
export function rootCaAction(ns: KubeObject, current: KubeObject | undefined, caPem: string): RootCaAction {
  if (!namespaceActive(ns)) return { action: 'none' };
  const data = { 'ca.crt': caPem };
  if (!current) {
    const metadata = { name: ROOT_CA_CONFIGMAP, namespace: ns.metadata.name, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } };
    return { action: 'create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data } };
  }
  const annotations = current.metadata.annotations ?? {};
  if (jsonEqual(current.data, data) && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return { action: 'none' };
  const metadata = { ...current.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } };
  return { action: 'update', object: { ...current, metadata, data } };
}
