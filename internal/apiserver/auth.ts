import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { UserInfo } from '../registry/index.js';

/**
 * Authentication seam: maps a request to a user, or null for an anonymous caller (answered 401
 * except on the health and version endpoints). Later token authenticators plug in here.
 */
export type Authenticator = (request: FastifyRequest) => UserInfo | null | Promise<UserInfo | null>;

/** Every authenticated user is also in this group, as in Kubernetes. */
export const AUTHENTICATED_GROUP = 'system:authenticated';

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

/** Health and version endpoints are open to anonymous callers (api-surface §12). */
export function isPublicPath(path: string): boolean {
  return PUBLIC.test(path);
}
