import type { KubeObject, OwnerReference } from '../../../internal/api/index.js';
import type { Pod } from './pods.js';

/** spec.template of a workload: a PodTemplateSpec. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

/**
 * The pod a controller creates from its template (upstream's GetPodFromTemplate): the template's
 * labels, annotations, finalizers and spec, a generated name after the owner, and the owner's
 * controller reference.
 */
export function podFromTemplate(template: PodTemplate | undefined, owner: OwnerReference, namespace: string, generateName: string): Pod {
  const meta = template?.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  return pod as Pod;
}
