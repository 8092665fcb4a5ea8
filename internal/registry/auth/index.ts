// internal/registry/auth: who may do what. ServiceAccount tokens (sa-token, TokenRequest, the
// token authenticator), the authorizer chain (RBAC, Node, AlwaysAllow) with upstream's default
// policy, escalation prevention, and the access review resources. Part of the registry module.
import type { KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';
import type { Authorizer, Handler } from '../request.js';
import type { UserInfo } from '../strategy.js';
import { ConfigError } from '../../util/index.js';
import { followResource } from './follow.js';
import { nodeAuthorizer, nodeNameOf } from './node-authorizer.js';
import { alwaysAllowAuthorizer, privilegedGroupAuthorizer, rbacAuthorizer, unionAuthorizer, type ChainedAuthorizer } from './rbac/authorizer.js';
import { rbacEscalationPlugin } from './rbac/escalation.js';
import { RbacIndex, type RbacResource } from './rbac/index-store.js';
import { defaultClusterRoles } from './rbac/policy.js';
import { reconcileDefaultPolicy, runAggregation } from './rbac/reconcile.js';
import type { PolicyRule } from './rbac/rules.js';
import type { RulesResolver } from './reviews.js';

export { ServiceAccountTokens, DEFAULT_ISSUER, LEGACY_ISSUER, serviceAccountUser, parseServiceAccountUser, SA_GROUP, type LegacyClaims } from './sa-token.js';
export { serviceAccountTokenAuthenticator, legacyServiceAccountTokenAuthenticator } from './sa-authenticator.js';
export { bootstrapTokenAuthenticator, bootstrapTokenUser, bootstrapTokenSecret, bootstrapTokenExpired, generateBootstrapToken, parseBootstrapToken, BOOTSTRAP_TOKEN_TYPE, BOOTSTRAP_NAMESPACE, BOOTSTRAP_SECRET_PREFIX, BOOTSTRAPPERS_GROUP } from './bootstrap-token.js';
export { tokenRequestSubresource, type ObjectLookup } from './token-request.js';
export { reviewDefinitions, type ReviewOptions, type RulesResolver } from './reviews.js';
export { NODES_GROUP, nodeNameOf } from './node-authorizer.js';
export { defaultClusterRoles, defaultClusterRoleBindings } from './rbac/policy.js';
export { RbacIndex } from './rbac/index-store.js';
export { ruleAllows, rulesAllow, uncoveredRules, type PolicyRule } from './rbac/rules.js';

export const AUTHORIZATION_MODES = ['RBAC', 'Node', 'AlwaysAllow', 'AlwaysDeny'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Parses --authorization-mode ("RBAC,Node"); throws a ConfigError naming an unknown mode. */
export function parseAuthorizationModes(text: string): AuthorizationMode[] {
  const modes = text.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) throw new ConfigError(`--authorization-mode: unknown mode "${m}" (want ${AUTHORIZATION_MODES.join(', ')})`);
  if (modes.length === 0) throw new ConfigError('--authorization-mode: at least one mode is required');
  return modes as AuthorizationMode[];
}

export interface AuthorizationSetup {
  authorizer: Authorizer;
  rules: RulesResolver;
  /** Escalation prevention for RBAC objects (when RBAC is on). */
  admission: AdmissionPlugin[];
  /**
   * Reconciles the default policy and starts following RBAC objects through `handler` (as the
   * apiserver); resolves once the authorizer has seen every stored object.
   */
  start(handler: Handler, signal: AbortSignal, onError: (err: unknown) => void): Promise<void>;
}

const RBAC_RESOURCES: RbacResource[] = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'];
const ALL: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** The authorizer chain of --authorization-mode, after system:masters (always allowed, as upstream). */
export function createAuthorization(modes: AuthorizationMode[]): AuthorizationSetup {
  const index = new RbacIndex();
  let handler: Handler | undefined;
  const nodeRules = (defaultClusterRoles().find((r) => r.metadata.name === 'system:node')?.rules as PolicyRule[]) ?? [];
  const podsOnNode = async (node: string): Promise<KubeObject[]> => {
    if (!handler) return [];
    const res = await handler.handle({ user: { name: 'system:apiserver', groups: ['system:masters'] }, group: '', version: 'v1', resource: 'pods', verb: 'list', params: { fieldSelector: `spec.nodeName=${node}`, resourceVersion: '0' } });
    return (res.body as { items: KubeObject[] }).items;
  };
  const chain: ChainedAuthorizer[] = [privilegedGroupAuthorizer];
  for (const m of modes) {
    if (m === 'RBAC') chain.push(rbacAuthorizer(index));
    if (m === 'Node') chain.push(nodeAuthorizer(nodeRules, podsOnNode));
    if (m === 'AlwaysAllow') chain.push(alwaysAllowAuthorizer);
    if (m === 'AlwaysDeny') chain.push({ name: 'AlwaysDeny', decide: () => ({ decision: 'deny' }) });
  }
  const authorizer = unionAuthorizer(chain);
  const rbac = modes.includes('RBAC');
  const rules: RulesResolver = {
    rulesFor(user: UserInfo, namespace: string) {
      const out: PolicyRule[] = [];
      let incomplete = false;
      for (const m of modes) {
        if (m === 'AlwaysAllow') out.push(...ALL);
        if (m === 'Node' && nodeNameOf(user)) {
          out.push(...nodeRules);
          incomplete = true; // the node graph's grants are not listed, as upstream
        }
        if (m === 'RBAC') {
          const r = index.rulesFor(user, namespace || undefined);
          out.push(...r.rules);
          if (r.missing.length) incomplete = true;
        }
      }
      return { rules: out, incomplete };
    },
  };
  return {
    authorizer,
    rules,
    admission: rbac ? [rbacEscalationPlugin(index, authorizer)] : [],
    async start(h, signal, onError) {
      handler = h;
      if (!rbac) return;
      await reconcileDefaultPolicy(h);
      await Promise.all(
        RBAC_RESOURCES.map((resource) =>
          followResource(h, { group: 'rbac.authorization.k8s.io', version: 'v1', resource }, { reset: () => index.reset(resource), put: (o) => index.put(resource, o), delete: (o) => index.delete(resource, o) }, signal, onError),
        ),
      );
      runAggregation(h, index, signal, onError);
    },
  };
}
