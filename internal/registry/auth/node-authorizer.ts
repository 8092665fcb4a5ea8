import type { KubeObject } from '../../api/index.js';
import type { AuthorizationAttributes } from '../request.js';
import type { ChainedAuthorizer, Decision } from './rbac/authorizer.js';
import { rulesAllow, type PolicyRule } from './rbac/rules.js';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

/** The node name of a node identity (system:node:<name> in system:nodes), else undefined. */
export function nodeNameOf(user: { name: string; groups: string[] }): string | undefined {
  if (!user.name.startsWith(NODE_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_PREFIX.length) || undefined;
}

/** What a pod references that its node may read (upstream's node graph edges). */
export function podReferences(pod: KubeObject): { secrets: Set<string>; configmaps: Set<string>; persistentvolumeclaims: Set<string> } {
  const secrets = new Set<string>();
  const configmaps = new Set<string>();
  const persistentvolumeclaims = new Set<string>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod specs are walked loosely, any missing level is skipped
  const spec = (pod.spec ?? {}) as Record<string, any>;
  for (const s of spec.imagePullSecrets ?? []) if (s?.name) secrets.add(s.name);
  for (const v of spec.volumes ?? []) {
    if (v?.secret?.secretName) secrets.add(v.secret.secretName);
    if (v?.configMap?.name) configmaps.add(v.configMap.name);
    if (v?.persistentVolumeClaim?.claimName) persistentvolumeclaims.add(v.persistentVolumeClaim.claimName);
    for (const src of v?.projected?.sources ?? []) {
      if (src?.secret?.name) secrets.add(src.secret.name);
      if (src?.configMap?.name) configmaps.add(src.configMap.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      if (e?.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
      if (e?.valueFrom?.configMapKeyRef?.name) configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const e of c?.envFrom ?? []) {
      if (e?.secretRef?.name) secrets.add(e.secretRef.name);
      if (e?.configMapRef?.name) configmaps.add(e.configMapRef.name);
    }
  }
  return { secrets, configmaps, persistentvolumeclaims };
}

const GRAPH = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);

/**
 * The Node authorizer: a kubelet identity may do what upstream's node rules allow (nodeRules, the
 * system:node role), except that secrets, configmaps and persistent volume claims are readable only
 * when a pod bound to that node references them, a service account token only for a pod on that
 * node, and node Leases only under its own name. Other users: no opinion.
 */
export function nodeAuthorizer(nodeRules: PolicyRule[], podsOnNode: (node: string) => Promise<KubeObject[]>): ChainedAuthorizer {
  const noRelation = (node: string): Decision => ({ decision: 'no-opinion', reason: `no relationship found between node '${node}' and this object` });
  return {
    name: 'Node',
    async decide(a: AuthorizationAttributes): Promise<Decision> {
      const node = nodeNameOf(a.user);
      if (node === undefined) return { decision: 'no-opinion' };
      if (a.path === undefined && a.group === '' && GRAPH.has(a.resource) && !a.subresource) {
        if (a.verb !== 'get' || !a.name || a.resource === 'persistentvolumes') return noRelation(node);
        const refs = (await podsOnNode(node)).filter((p) => p.metadata.namespace === a.namespace).map(podReferences);
        const kind = a.resource as 'secrets' | 'configmaps' | 'persistentvolumeclaims';
        return refs.some((r) => r[kind].has(a.name!)) ? { decision: 'allow' } : noRelation(node);
      }
      if (a.path === undefined && a.group === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') {
        if (a.verb !== 'create') return noRelation(node);
        const pods = (await podsOnNode(node)).filter((p) => p.metadata.namespace === a.namespace);
        const uses = pods.some((p) => ((p.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default') === a.name);
        return uses ? { decision: 'allow' } : noRelation(node);
      }
      if (a.path === undefined && a.group === 'coordination.k8s.io' && a.resource === 'leases') {
        const own = a.namespace === 'kube-node-lease' && (a.name === node || (a.verb === 'create' && !a.name));
        return own ? { decision: 'allow' } : { decision: 'no-opinion' };
      }
      return rulesAllow(nodeRules, a) ? { decision: 'allow' } : { decision: 'no-opinion' };
    },
  };
}
