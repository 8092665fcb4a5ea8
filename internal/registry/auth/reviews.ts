import { apiErrors, fieldErrors, type FieldError, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';
import type { ApiRequest, AuthorizationAttributes, Authorizer } from '../request.js';
import { defineStrategy } from '../resources/shared/strategy.js';
import { invalidError } from '../store/errors.js';
import { isObject } from '../store/util.js';
import type { UserInfo } from '../strategy.js';
import type { PolicyRule } from './rbac/rules.js';

type Req = Exclude<ApiRequest, { verb: 'watch' }>;

/** What SelfSubjectRulesReview lists: the rules a user holds in a namespace. */
export interface RulesResolver {
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; incomplete: boolean; evaluationError?: string };
}

export interface ReviewOptions {
  authorizer: Authorizer;
  rules: RulesResolver;
  /** TokenReview: who a bearer token names (undefined: not a valid token). */
  authenticateToken?: (token: string, audiences: string[]) => Promise<UserInfo | undefined>;
}

const AUTHZ = 'authorization.k8s.io';
const AUTHN = 'authentication.k8s.io';

function virtual(group: string, version: string, kind: string, plural: string, namespaced: boolean, serve: (req: Req, body: Record<string, unknown>) => Promise<KubeObject>): ResourceDefinition {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ['create'],
    strategy: defineStrategy({ namespaced }),
    serve: async (req) => {
      if (req.verb !== 'create') throw apiErrors.methodNotAllowed();
      const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
      const out = await serve(req, body);
      return { code: 201, body: { kind, apiVersion: `${group}/${version}`, ...out, metadata: { creationTimestamp: null, ...out.metadata } as KubeObject['metadata'] } };
    },
  };
}

/** The user a SubjectAccessReview spec names, as upstream's authorizationutil.AuthorizationAttributesFrom. */
function specUser(spec: Record<string, unknown>): UserInfo {
  const extra = isObject(spec.extra) ? (spec.extra as Record<string, string[]>) : undefined;
  return { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [], ...(spec.uid ? { uid: String(spec.uid) } : {}), ...(extra ? { extra } : {}) };
}

/** Attributes from spec.resourceAttributes or spec.nonResourceAttributes. */
function specAttributes(spec: Record<string, unknown>, user: UserInfo, kind: string): AuthorizationAttributes {
  const ra = isObject(spec.resourceAttributes) ? (spec.resourceAttributes as Record<string, string>) : undefined;
  const nra = isObject(spec.nonResourceAttributes) ? (spec.nonResourceAttributes as Record<string, string>) : undefined;
  const errs: FieldError[] = [];
  if (!ra && !nra) errs.push(fieldErrors.required('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (ra && nra) errs.push(fieldErrors.invalid('spec.nonResourceAttributes', nra, 'cannot be specified in combination with resourceAttributes'));
  if (errs.length) throw invalidError({ kind, group: AUTHZ }, '', errs);
  if (nra) return { user, verb: nra.verb ?? '', group: '', version: '', resource: '', path: nra.path ?? '' };
  return {
    user,
    verb: ra!.verb ?? '',
    group: ra!.group ?? '',
    version: ra!.version ?? '',
    resource: ra!.resource ?? '',
    ...(ra!.subresource ? { subresource: ra!.subresource } : {}),
    ...(ra!.namespace ? { namespace: ra!.namespace } : {}),
    ...(ra!.name ? { name: ra!.name } : {}),
  };
}

async function decide(authorizer: Authorizer, attrs: AuthorizationAttributes): Promise<Record<string, unknown>> {
  const d = await authorizer.authorize(attrs);
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

function userInfo(u: UserInfo): Record<string, unknown> {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

/** Upstream's rule rendering in SelfSubjectRulesReview: resource rules and non-resource rules apart. */
function splitRules(rules: PolicyRule[]): { resourceRules: unknown[]; nonResourceRules: unknown[] } {
  const resourceRules: unknown[] = [];
  const nonResourceRules: unknown[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    else resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) });
  }
  return { resourceRules, nonResourceRules };
}

/**
 * authorization.k8s.io/v1 (SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview,
 * SelfSubjectRulesReview) and authentication.k8s.io (TokenReview v1, SelfSubjectReview): created,
 * answered, never stored.
 */
export function reviewDefinitions(opts: ReviewOptions): ResourceDefinition[] {
  const defs: ResourceDefinition[] = [
    virtual(AUTHZ, 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, async (req, body) => {
      const spec = isObject(body.spec) ? body.spec : {};
      const attrs = specAttributes(spec, specUser(spec), 'LocalSubjectAccessReview');
      if (attrs.path !== undefined) throw invalidError({ kind: 'LocalSubjectAccessReview', group: AUTHZ }, '', [fieldErrors.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request')]);
      if ((attrs.namespace ?? '') !== (req.namespace ?? '')) {
        throw invalidError({ kind: 'LocalSubjectAccessReview', group: AUTHZ }, '', [fieldErrors.invalid('spec.resourceAttributes.namespace', attrs.namespace ?? '', 'must match metadata.namespace')]);
      }
      return { metadata: { namespace: req.namespace }, spec, status: await decide(opts.authorizer, attrs) } as unknown as KubeObject;
    }),
    virtual(AUTHZ, 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, async (req, body) => {
      const spec = isObject(body.spec) ? body.spec : {};
      const attrs = specAttributes(spec, req.user, 'SelfSubjectAccessReview');
      return { spec, status: await decide(opts.authorizer, attrs) } as unknown as KubeObject;
    }),
    virtual(AUTHZ, 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, async (req, body) => {
      const spec = isObject(body.spec) ? body.spec : {};
      const { rules, incomplete, evaluationError } = opts.rules.rulesFor(req.user, String(spec.namespace ?? ''));
      return { spec, status: { ...splitRules(rules), incomplete, ...(evaluationError ? { evaluationError } : {}) } } as unknown as KubeObject;
    }),
    virtual(AUTHZ, 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, async (_req, body) => {
      const spec = isObject(body.spec) ? body.spec : {};
      const user = specUser(spec);
      if (!user.name && user.groups.length === 0) {
        throw invalidError({ kind: 'SubjectAccessReview', group: AUTHZ }, '', [fieldErrors.invalid('spec.user', '', 'at least one of user or group must be specified')]);
      }
      return { spec, status: await decide(opts.authorizer, specAttributes(spec, user, 'SubjectAccessReview')) } as unknown as KubeObject;
    }),
    // kubectl auth whoami asks v1 (1.28+), then v1beta1, then v1alpha1; all three are served, as in 1.28-1.32.
    ...['v1', 'v1beta1', 'v1alpha1'].map((v) => virtual(AUTHN, v, 'SelfSubjectReview', 'selfsubjectreviews', false, async (req) => ({ status: { userInfo: userInfo(req.user) } }) as unknown as KubeObject)),
  ];
  if (opts.authenticateToken) {
    const authenticate = opts.authenticateToken;
    defs.push(
      virtual(AUTHN, 'v1', 'TokenReview', 'tokenreviews', false, async (_req, body) => {
        const spec = isObject(body.spec) ? body.spec : {};
        const audiences = Array.isArray(spec.audiences) ? spec.audiences.map(String) : [];
        const user = spec.token ? await authenticate(String(spec.token), audiences) : undefined;
        const status = user ? { authenticated: true, user: userInfo(user), ...(audiences.length ? { audiences } : {}) } : { authenticated: false, user: {}, error: 'invalid bearer token' };
        return { spec, status } as unknown as KubeObject;
      }),
    );
  }
  return defs;
}
