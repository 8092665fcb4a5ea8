import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, jwtVerify, type JWK } from 'jose';
import type { UserInfo } from '../strategy.js';

/** The issuer kubeadm configures (and the default audience of a token that names none). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export const SA_GROUP = 'system:serviceaccounts';
export const SA_PREFIX = 'system:serviceaccount:';

/** What a bound token is bound to (TokenRequest spec.boundObjectRef): a Pod, a Secret or a Node. */
export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

/** The private claims under "kubernetes.io", as upstream writes them. */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
  warnafter?: number;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject;
  /** Seconds since the epoch. */
  now: number;
}

/** A verified token: who it names and what it is bound to; the caller checks those still exist. */
export interface VerifiedToken {
  claims: KubernetesClaims;
  jti?: string;
}

/** The issuer and claim prefix of legacy Secret-based tokens, as upstream writes them. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const LEGACY_CLAIM = 'kubernetes.io/serviceaccount/';

export interface LegacyClaims {
  namespace: string;
  secretName: string;
  serviceAccount: { name: string; uid: string };
}

/** Name and groups of a service account's user (upstream serviceaccount.UserInfo). */
export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return { name: `${SA_PREFIX}${namespace}:${name}`, groups: [SA_GROUP, `${SA_GROUP}:${namespace}`], ...(uid ? { uid } : {}) };
}

/** "system:serviceaccount:ns:name" → {namespace, name}; undefined for any other user name. */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const [namespace, name, ...rest] = user.slice(SA_PREFIX.length).split(':');
  return namespace && name && rest.length === 0 ? { namespace, name } : undefined;
}

/**
 * Signs and verifies ServiceAccount tokens (RS256 JWTs, as kube-apiserver's). The key id is the
 * base64url SHA-256 of the public key's DER, as upstream computes it, so JWKS consumers match it.
 */
export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(
    privateKeyPem: string,
    readonly issuer = DEFAULT_ISSUER,
    /** Audiences a token must name one of to authenticate here (--api-audiences; default the issuer). */
    readonly apiAudiences: string[] = [issuer],
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  }

  async issue(r: IssueRequest): Promise<{ token: string; expiresAt: number }> {
    const exp = r.now + r.expirationSeconds;
    const k8s: KubernetesClaims = { namespace: r.namespace, serviceaccount: { name: r.serviceAccount.name, uid: r.serviceAccount.uid } };
    if (r.bound?.kind === 'Pod') k8s.pod = { name: r.bound.name, uid: r.bound.uid };
    if (r.bound?.kind === 'Secret') k8s.secret = { name: r.bound.name, uid: r.bound.uid };
    if (r.bound?.kind === 'Node') k8s.node = { name: r.bound.name, uid: r.bound.uid };
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(`${SA_PREFIX}${r.namespace}:${r.serviceAccount.name}`)
      .setAudience(r.audiences)
      .setIssuedAt(r.now)
      .setNotBefore(r.now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: exp };
  }

  /**
   * Checks signature, issuer, audience and time; undefined when the token is not ours (another
   * authenticator may know it) or not valid. `now` in seconds since the epoch.
   */
  async verify(token: string, now: number, audiences = this.apiAudiences): Promise<VerifiedToken | undefined> {
    if (token.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, audience: audiences, currentDate: new Date(now * 1000), algorithms: ['RS256'] });
      const k8s = payload['kubernetes.io'] as KubernetesClaims | undefined;
      if (!k8s?.namespace || !k8s.serviceaccount?.name || payload.sub !== `${SA_PREFIX}${k8s.namespace}:${k8s.serviceaccount.name}`) return undefined;
      return { claims: k8s, jti: payload.jti };
    } catch {
      return undefined;
    }
  }

  /**
   * A legacy Secret-based token (upstream's tokens controller, for a Secret of type
   * kubernetes.io/service-account-token): issuer "kubernetes/serviceaccount", no audience, no expiry;
   * it authenticates while the Secret still holds it and the ServiceAccount exists.
   */
  async issueLegacy(r: LegacyClaims): Promise<string> {
    return new SignJWT({
      [`${LEGACY_CLAIM}namespace`]: r.namespace,
      [`${LEGACY_CLAIM}secret.name`]: r.secretName,
      [`${LEGACY_CLAIM}service-account.name`]: r.serviceAccount.name,
      [`${LEGACY_CLAIM}service-account.uid`]: r.serviceAccount.uid,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(LEGACY_ISSUER)
      .setSubject(`${SA_PREFIX}${r.namespace}:${r.serviceAccount.name}`)
      .sign(this.privateKey);
  }

  /** The claims of a legacy token signed by this key; undefined for any other token. */
  async verifyLegacy(token: string): Promise<LegacyClaims | undefined> {
    if (token.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: LEGACY_ISSUER, algorithms: ['RS256'] });
      const claim = (k: string) => (typeof payload[`${LEGACY_CLAIM}${k}`] === 'string' ? (payload[`${LEGACY_CLAIM}${k}`] as string) : '');
      const r = { namespace: claim('namespace'), secretName: claim('secret.name'), serviceAccount: { name: claim('service-account.name'), uid: claim('service-account.uid') } };
      if (!r.namespace || !r.secretName || !r.serviceAccount.name || payload.sub !== `${SA_PREFIX}${r.namespace}:${r.serviceAccount.name}`) return undefined;
      return r;
    } catch {
      return undefined;
    }
  }

  /** The JSON Web Key Set served at /openid/v1/jwks. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ use: 'sig', kty: jwk.kty, kid: this.kid, alg: 'RS256', n: jwk.n, e: jwk.e }] };
  }

  /** /.well-known/openid-configuration (upstream's fields). */
  discovery(jwksUri = `${this.issuer}/openid/v1/jwks`): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }
}
