import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { UserInfo } from '../registry/index.js';

/**
 * Authentication seam: maps a request to a user, or null when its credentials are not valid
 * (answered 401). A request without credentials is the anonymous user when anonymous access is on
 * (requestAuthenticator), whom the authorizer then allows little.
 */
export type Authenticator = (request: FastifyRequest) => UserInfo | null | Promise<UserInfo | null>;

/** A bearer token authenticator: the user, or undefined when the token is not one it knows. */
export type TokenAuthenticator = (token: string) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** Every authenticated user is also in this group, as in Kubernetes. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const ANONYMOUS: UserInfo = Object.freeze({ name: 'system:anonymous', groups: [UNAUTHENTICATED_GROUP] });

/** "Authorization: Bearer <token>" → the token (upstream trims and refuses an empty one). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.*)$/i.exec(h.trim());
  return m && m[1]!.trim() ? m[1]!.trim() : undefined;
}

/** Adds system:authenticated to an authenticated user's groups (once). */
export function authenticated(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/**
 * The request authenticator chain, as kube-apiserver's: a verified client certificate, else a
 * bearer token tried on each token authenticator in order (an unknown token is 401), else, when
 * `anonymous` is on, system:anonymous in system:unauthenticated.
 */
export function requestAuthenticator(opts: { x509?: Authenticator; tokens?: TokenAuthenticator[]; anonymous?: boolean }): Authenticator {
  const x509 = opts.x509 ?? x509Authenticator;
  const tokens = opts.tokens ?? [];
  return async (request) => {
    const fromCert = await x509(request);
    if (fromCert) return fromCert;
    const token = bearerToken(request);
    if (token !== undefined) {
      for (const auth of tokens) {
        const user = await auth(token);
        if (user) return authenticated(user);
      }
      return null;
    }
    if (request.headers.authorization !== undefined) return null;
    return opts.anonymous === false ? null : ANONYMOUS;
  };
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * x509 client certificates: CN is the user name, each O a group. Only certificates the TLS layer
 * verified against the cluster CA count (`socket.authorized`); the server asks for a certificate but
 * does not reject the handshake without one, so anonymous callers still reach /healthz.
 */
export const x509Authenticator: Authenticator = (request) => {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (!socket.encrypted || !socket.authorized || typeof socket.getPeerCertificate !== 'function') return null;
  // The peer certificate cannot change on a connection (renegotiation is refused), and
  // getPeerCertificate() builds a fresh object tree on every call: it was 6 % of the server's CPU
  // under load, so the user is worked out once per connection.
  const known = usersBySocket.get(socket as TLSSocket);
  if (known !== undefined) return known;
  const cert = socket.getPeerCertificate();
  const cn = asList(cert?.subject?.CN)[0];
  const user = cn ? { name: cn, groups: [...asList(cert.subject.O).filter((g) => g !== AUTHENTICATED_GROUP), AUTHENTICATED_GROUP] } : null;
  usersBySocket.set(socket as TLSSocket, user);
  return user;
};

const usersBySocket = new WeakMap<TLSSocket, UserInfo | null>();

export interface TlsMaterial {
  /** PEM private key of the serving certificate. */
  key: string | Buffer;
  /** PEM serving certificate (chain). */
  cert: string | Buffer;
  /** PEM CA bundle that client certificates are verified against. */
  ca: string | Buffer;
}

/** fastify `https` options: ask for a client certificate, verify it, but admit callers without one. */
export function tlsServerOptions(m: TlsMaterial) {
  return { key: m.key, cert: m.cert, ca: m.ca, requestCert: true, rejectUnauthorized: false } as const;
}

const PUBLIC = /^\/(healthz|livez|readyz|version)(\/|\?|$)/;

/**
 * Health and version endpoints are open to every caller (api-surface §12; upstream's
 * system:public-info-viewer grants them to authenticated and anonymous users alike), so they skip
 * authentication and authorization.
 */
export function isPublicPath(path: string): boolean {
  return PUBLIC.test(path);
}

const NON_RESOURCE_VERBS: Record<string, string> = { GET: 'get', HEAD: 'head', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete', OPTIONS: 'options' };

/** The verb a request to a non-resource URL is authorized for (upstream: the lower-cased method). */
export function nonResourceVerb(method: string): string {
  return NON_RESOURCE_VERBS[method] ?? method.toLowerCase();
}
