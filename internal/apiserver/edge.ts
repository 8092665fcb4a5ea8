import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

/**
 * Connection-level defences, before a request reaches a route: timeouts against slow (slowloris)
 * clients, a bound on connections that have not yet authenticated a request and on TLS handshakes
 * in progress, and Status bodies for requests the HTTP parser itself refuses.
 */
export interface EdgeLimits {
  /** Request line and headers must arrive within this (408 after). Default 10 s. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 after). Default 60 s. */
  bodyTimeoutMs: number;
  /** A TLS handshake must finish within this. Default 10 s. */
  handshakeTimeoutMs: number;
  /** Open connections that have not yet carried an authenticated request; past it the oldest is dropped. Default 1000. */
  maxUnauthenticatedConnections: number;
  /**
   * TLS handshakes in progress. Past it, the oldest is dropped if it has been going on longer than
   * handshakeGraceMs (it is stalled), else the new connection is. Default 200.
   */
  maxHandshakes: number;
  /** How long a handshake in progress is kept from being dropped for a newer one. Default 1 s. */
  handshakeGraceMs: number;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
  maxUnauthenticatedConnections: 1000,
  maxHandshakes: 200,
  handshakeGraceMs: 1000,
};

/** Node http(s).createServer options carrying the timeouts (timeouts are checked every second). */
export function serverTimeoutOptions(l: EdgeLimits) {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.bodyTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, l.headersTimeoutMs),
  };
}

export interface EdgeCounters {
  unauthenticated: number;
  handshaking: number;
  droppedConnections: number;
}

type Guarded = Socket & { kplaneSettle?: () => void; kplaneHandshakeDone?: () => void };

const authenticated = new WeakSet<Socket>();

/**
 * Counts connections from accept until their first authenticated request (markAuthenticated), and
 * TLS handshakes from accept to secureConnection. At either bound the OLDEST such connection is
 * dropped to admit the new one: refusing new connections instead would let 1000 slowloris sockets
 * lock every new client out, while evicting the oldest leaves an attacker only connections younger
 * than the time it takes to open the bound's worth of new ones, and a real client authenticates in
 * one round trip. An authenticated connection (a kubectl or controller keep-alive) is never dropped
 * by these bounds.
 *
 * Handshakes differ in one way: a burst of new connections (a client reconnecting a thousand
 * sockets at once) would drop every handshake in progress, a load balancer's health check among
 * them, before any could finish, and the node would be marked down. So a handshake younger than
 * handshakeGraceMs is not dropped for a newer connection; the newer connection is, until the ones in
 * progress finish or grow old enough to count as stalled.
 */
export function guardConnections(server: Server, l: EdgeLimits, tls: boolean, now: () => number = () => performance.now()): EdgeCounters {
  const unauthenticated = new Set<Socket>();
  /** Handshakes in progress and when each began, oldest first. */
  const handshaking = new Map<Socket, number>();
  const c: EdgeCounters = {
    get unauthenticated() {
      return unauthenticated.size;
    },
    get handshaking() {
      return handshaking.size;
    },
    droppedConnections: 0,
  };
  /** Sets iterate in insertion order: the first is the oldest. */
  const evictOldest = (set: Set<Socket> | Map<Socket, number>) => {
    const oldest = set.keys().next().value as Socket;
    set.delete(oldest);
    c.droppedConnections++;
    oldest.destroy();
  };
  server.on('connection', (socket: Guarded) => {
    const t = now();
    if (tls && handshaking.size >= l.maxHandshakes && l.maxHandshakes > 0) {
      if (t - handshaking.values().next().value! < l.handshakeGraceMs) {
        c.droppedConnections++;
        socket.destroy();
        return;
      }
      evictOldest(handshaking);
    }
    if (unauthenticated.size >= l.maxUnauthenticatedConnections && l.maxUnauthenticatedConnections > 0) evictOldest(unauthenticated);
    unauthenticated.add(socket);
    socket.kplaneSettle = () => unauthenticated.delete(socket);
    socket.once('close', () => unauthenticated.delete(socket));
    if (!tls) return;
    handshaking.set(socket, t);
    socket.once('close', () => handshaking.delete(socket));
    // The TLS socket wrapping this one reports the end of the handshake on the server.
    socket.kplaneHandshakeDone = () => handshaking.delete(socket);
  });
  if (tls) {
    server.on('secureConnection', (tlsSocket: Socket & { _parent?: Guarded }) => {
      tlsSocket._parent?.kplaneHandshakeDone?.();
    });
  }
  return c;
}

/** Called once a request on `socket` authenticated: the connection stops counting as unauthenticated. */
export function markAuthenticated(socket: Socket): void {
  if (authenticated.has(socket)) return;
  authenticated.add(socket);
  const raw: Guarded = (socket as Socket & { _parent?: Socket })._parent ?? socket;
  raw.kplaneSettle?.();
}

/**
 * fastify's clientErrorHandler: malformed requests, oversized headers (431: the request line, query
 * string included, and headers share Node's 16 KiB) and slow requests (408) are answered with a
 * Status body, and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let code = 400;
  let reason = 'BadRequest';
  let message = 'the request could not be parsed as HTTP';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    code = 408;
    reason = 'Timeout';
    message = 'the request was not received in time';
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    code = 431;
    reason = 'RequestHeaderFieldsTooLarge';
    message = 'the request line and headers exceed the size limit';
  }
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
