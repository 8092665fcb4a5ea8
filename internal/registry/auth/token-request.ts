import { apiErrors, fieldErrors, type FieldError, type KubeObject } from '../../api/index.js';
import type { SubresourceDefinition } from '../definition.js';
import { invalidError } from '../store/errors.js';
import { isObject } from '../store/util.js';
import type { BoundObject, ServiceAccountTokens } from './sa-token.js';

/** Reads one object as the apiserver itself (undefined when missing). */
export type ObjectLookup = (resource: 'pods' | 'secrets' | 'nodes' | 'serviceaccounts', namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

const MIN_SECONDS = 600;
const DEFAULT_SECONDS = 3600;
const MAX_SECONDS = 2 ** 32;
const BOUND_KINDS: Record<string, 'pods' | 'secrets' | 'nodes'> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };

interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { kind: string; apiVersion?: string; name: string; uid?: string };
}

/** Upstream's TokenRequest validation (field paths and messages as upstream's). */
export function validateTokenRequest(spec: Record<string, unknown>): { spec: TokenRequestSpec; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.map(String) : [];
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_SECONDS;
  if (expirationSeconds < MIN_SECONDS) errors.push(fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (expirationSeconds > MAX_SECONDS) errors.push(fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  const ref = isObject(spec.boundObjectRef) ? (spec.boundObjectRef as TokenRequestSpec['boundObjectRef'])! : undefined;
  if (ref && !BOUND_KINDS[ref.kind]) errors.push(fieldErrors.notSupported('spec.boundObjectRef.kind', ref.kind ?? '', Object.keys(BOUND_KINDS)));
  if (ref && !ref.name) errors.push(fieldErrors.required('spec.boundObjectRef.name', ''));
  return { spec: { audiences, expirationSeconds, ...(ref ? { boundObjectRef: ref } : {}) }, errors };
}

/**
 * serviceaccounts/token (TokenRequest, `kubectl create token`): a JWT for the service account,
 * for the requested audiences (default: the API's), bound to a Pod, Secret or Node when asked.
 * The bound object must exist (and carry the given uid), and a Pod must run as this service account.
 */
export function tokenRequestSubresource(opts: { tokens: () => ServiceAccountTokens | undefined; lookup: ObjectLookup; now?: () => number }): SubresourceDefinition {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: 'token',
    verbs: ['create'],
    kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
    handler: async (req, { store, ctx }) => {
      if (req.verb !== 'create') throw apiErrors.methodNotAllowed();
      const tokens = opts.tokens();
      if (!tokens) throw apiErrors.notFound({ group: '', resource: 'serviceaccounts/token' }, req.name ?? '');
      const sa = await store.get(ctx, req.name ?? '', {});
      const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
      const { spec, errors } = validateTokenRequest(isObject(body.spec) ? body.spec : {});
      const kind = { kind: 'TokenRequest', group: 'authentication.k8s.io' };
      if (errors.length) throw invalidError(kind, req.name ?? '', errors);
      const namespace = ctx.namespace!;
      let bound: BoundObject | undefined;
      const ref = spec.boundObjectRef;
      if (ref) {
        const resource = BOUND_KINDS[ref.kind]!;
        const obj = await opts.lookup(resource, resource === 'nodes' ? undefined : namespace, ref.name);
        if (!obj) throw apiErrors.notFound({ group: '', resource }, ref.name);
        if (ref.uid && ref.uid !== obj.metadata.uid) {
          throw apiErrors.conflict({ group: '', resource }, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
        }
        const podSa = (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default';
        if (ref.kind === 'Pod' && podSa !== sa.metadata.name) {
          throw apiErrors.badRequest(`cannot bind token for serviceaccount "${sa.metadata.name}" to pod running with different serviceaccount name.`);
        }
        bound = { kind: ref.kind as BoundObject['kind'], name: ref.name, uid: obj.metadata.uid ?? '' };
      }
      const audiences = spec.audiences.length ? spec.audiences : tokens.apiAudiences;
      const issued = await tokens.issue({ namespace, serviceAccount: { name: sa.metadata.name!, uid: sa.metadata.uid ?? '' }, audiences, expirationSeconds: spec.expirationSeconds, bound, now: now() });
      const out: KubeObject = {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: sa.metadata.name, namespace, creationTimestamp: null } as KubeObject['metadata'],
        spec: { audiences, expirationSeconds: spec.expirationSeconds, boundObjectRef: ref ? { ...ref, uid: bound?.uid } : null },
        status: { token: issued.token, expirationTimestamp: new Date(issued.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      };
      return { code: 201, body: out };
    },
  };
}
