import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { apiErrors } from '../api/index.js';
import { forbiddenError, mastersOnlyAuthorizer, type Authorizer, type Handler, type ResourceCatalog, type UserInfo } from '../registry/index.js';
import { realClock, type Clock } from '../util/index.js';
import { serveApi, type ApiContext, type PendingWebsocketWatch } from './api-handler.js';
import { ANONYMOUS, isPublicPath, nonResourceVerb, tlsServerOptions, x509Authenticator, type Authenticator, type TlsMaterial } from './auth.js';
import { registerAudit, type Auditor } from './audit/index.js';
import { impersonate, wantsImpersonation } from './impersonation.js';
import { DiscoveryService } from './discovery-routes.js';
import { registerHealthRoutes, type HealthCheck, type VersionInfo } from './health.js';
import { clientErrorHandler, DEFAULT_EDGE_LIMITS, guardConnections, markAuthenticated, serverTimeoutOptions, type EdgeLimits } from './edge.js';
import { DEFAULT_ADAPTIVE_SEATS, type AdaptiveSeatOptions } from './adaptive-seats.js';
import { Seats } from './seats.js';
import { registerMetrics, RequestMetrics } from './metrics.js';
import { resourceNotFound } from './resolve.js';
import { lazyRequestLogger } from './request-logger.js';
import { sendStatus, translateError } from './status.js';
import { streamWebsocketWatch, WatchHub, type StreamHooks } from './watch.js';

export interface ApiServerLimits {
  /** Largest request body accepted (413 above). Default 3 MiB, as kube-apiserver. */
  maxRequestBodyBytes?: number;
  /** Largest decoded object accepted (413 above). Default 1.5 MiB, etcd's request limit. */
  maxObjectBytes?: number;
  /** Concurrent watches (429 above); 0 = unlimited. Default 8192. */
  maxWatches?: number;
  /** Concurrent watches of one user (429 above); 0 = unlimited. Default 1000. */
  maxWatchesPerUser?: number;
  /** Read-only non-watch requests executing at once (--max-requests-inflight); 0 = unlimited. Default 400. */
  maxReadOnlyInFlight?: number;
  /** Mutating requests executing at once (--max-mutating-requests-inflight); 0 = unlimited. Default 200. */
  maxMutatingInFlight?: number;
  /** Requests one user may have waiting for a seat, per class (429 above). Default 50. */
  queueLengthPerUser?: number;
  /** Longest wait for a seat (429 after). Default 10 s. */
  queueWaitMs?: number;
  /** How long a request refused for its user's full queue waits before its 429 (see Seats). Default 1 s; 0 = at once. */
  refusalDelayMs?: number;
  /**
   * Below the in-flight limits, seats follow the event loop's delay (adaptive-seats.ts); false keeps
   * the limits fixed. Default on, with DEFAULT_ADAPTIVE_SEATS.
   */
  adaptiveSeats?: Partial<AdaptiveSeatOptions> | false;
  /** Non-watch requests answered 504 after this (--request-timeout); 0 = none. Default 60 s. */
  requestTimeoutMs?: number;
  /** A watch without timeoutSeconds ends after [min, 2·min) seconds. Default 1800, as upstream. */
  minWatchTimeoutSeconds?: number;
  /** Timeouts against slow clients and bounds on unauthenticated connections (edge.ts). */
  edge?: Partial<EdgeLimits>;
}

export interface ApiServerOptions {
  handler: Handler;
  catalog: ResourceCatalog;
  /** Default: x509 client certificates verified against the CA given in `tls`. */
  authenticator?: Authenticator;
  /**
   * Decides requests to non-resource URLs (discovery, OpenAPI, /metrics, ...) and impersonation;
   * resource requests are the handler's to authorize. Absent: non-resource URLs are open to every
   * authenticated caller and only system:masters may impersonate.
   */
  authorizer?: Authorizer;
  /** Exact paths served without authentication or authorization (e.g. the join endpoints). */
  openPaths?: string[];
  /** The ServiceAccount issuer's discovery documents (/.well-known/openid-configuration, /openid/v1/jwks). */
  serviceAccountIssuer?: { discovery(): Record<string, unknown>; jwks(): Promise<unknown> };
  /** Checks /readyz (and /healthz) wait for, e.g. "etcd" (datastore reachable), "informer-sync". */
  readiness?: HealthCheck[];
  /** Informational lines appended to `/readyz?verbose` (plugin states); never failing. */
  readyInfo?: () => string[];
  /** Checks /livez reports; keep them cheap. */
  liveness?: HealthCheck[];
  version: VersionInfo;
  /** A pino-compatible logger; silent when absent. */
  logger?: FastifyBaseLogger;
  limits?: ApiServerLimits;
  /** Serve HTTPS with client-certificate authentication; plain HTTP when absent (tests). */
  tls?: TlsMaterial;
  /** The audit policy and where its events go (--audit-policy-file, --audit-log-path); none when absent. */
  audit?: Auditor;
  /** Mounts /openapi/v2 and /openapi/v3 (built elsewhere). Runs inside an encapsulated plugin. */
  openapi?: (app: FastifyInstance) => void | Promise<void>;
  clock?: Clock;
  /** Randomness for watch timeouts, [0, 1). */
  random?: () => number;
}

export type ApiServer = FastifyInstance;

const MiB = 1024 * 1024;
const API_PATHS = ['/api', '/api/*', '/apis', '/apis/*'];

/**
 * Builds the fastify app serving the Kubernetes API. Listening is the caller's (see listen()).
 * Resource routes are one catch-all per method group, resolved against the catalog per request, so
 * CRDs appear and disappear without re-registering routes.
 */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const limits = {
    maxRequestBodyBytes: opts.limits?.maxRequestBodyBytes ?? 3 * MiB,
    maxObjectBytes: opts.limits?.maxObjectBytes ?? 1.5 * MiB,
    maxWatches: opts.limits?.maxWatches ?? 8192,
    maxWatchesPerUser: opts.limits?.maxWatchesPerUser ?? 1000,
    minWatchTimeoutSeconds: opts.limits?.minWatchTimeoutSeconds ?? 1800,
  };
  const edge: EdgeLimits = { ...DEFAULT_EDGE_LIMITS, ...opts.limits?.edge };
  const clock = opts.clock ?? realClock;
  const random = opts.random ?? Math.random;
  const nodeServerOptions = serverTimeoutOptions(edge);
  const app = Fastify({
    ...(opts.tls
      ? { https: { ...tlsServerOptions(opts.tls), ...nodeServerOptions, handshakeTimeout: edge.handshakeTimeoutMs } }
      : { http: nodeServerOptions }),
    requestTimeout: edge.bodyTimeoutMs,
    clientErrorHandler,
    // A URL fastify cannot decode (a stray '%', invalid UTF-8) is refused before routing: as a Status.
    frameworkErrors: (err, _request, reply) => sendStatus(reply, translateError(err, limits.maxRequestBodyBytes).error),
    ...(opts.logger ? { loggerInstance: opts.logger, childLoggerFactory: lazyRequestLogger } : { logger: false }),
    // Per-request access logs are off: an apiserver logs errors, not every watch reconnect.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxRequestBodyBytes,
    routerOptions: { maxParamLength: 4096 },
    // fastify's own 503 body is not a Status; onRequest below answers during shutdown instead.
    return503OnClosing: false,
    // No route declares a JSON schema (bodies are decoded and validated by the registry), so the ajv
    // and fast-json-stringify compilers fastify would otherwise load at construction are never
    // needed; loading them was a third of restart → /readyz.
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
  }) as unknown as FastifyInstance;

  const connections = guardConnections(app.server, edge, opts.tls !== undefined);
  if (opts.tls) {
    // As Go's TLS server: no renegotiation, so a connection's client certificate is fixed for its
    // life (the x509 authenticator relies on that to work the user out once per connection).
    app.server.on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());
  }
  const users = new WeakMap<FastifyRequest, UserInfo>();
  const metrics = new RequestMetrics();
  const authenticate = opts.authenticator ?? x509Authenticator;
  let shuttingDown = false;
  const hub = new WatchHub(limits.maxWatches, clock, limits.maxWatchesPerUser);
  // Watch streams gather their writes only while the loop is busy, by the adaptive seats' measure;
  // without that sampler (--no-adaptive-inflight) they always write at once.
  const busyAt = { ...DEFAULT_ADAPTIVE_SEATS, ...(opts.limits?.adaptiveSeats || {}) };
  hub.loopBusy = () => {
    const s = ctx.seats.lastSample;
    return s !== undefined && s.lagMs > busyAt.targetLagMs && s.utilization >= busyAt.busyUtilization;
  };
  const discovery = new DiscoveryService(opts.catalog);
  const streamHooks: StreamHooks = {
    errorStatus: (err) => {
      const { error, unexpected } = translateError(err, limits.maxRequestBodyBytes);
      if (unexpected) {
        metrics.recordUnexpected();
        app.log.error({ err }, 'watch stream failed');
      }
      return error.status;
    },
    closing: () => hub.closing,
  };
  const logUnexpected = (request: FastifyRequest, err: unknown, msg: string) => {
    metrics.recordUnexpected();
    const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
    const user = users.get(request)?.name;
    // The registry wraps what it did not expect in an InternalError: its cause has the stack.
    request.log.error({ err: cause instanceof Error ? cause : err, method: request.method, url: request.url, user }, msg);
  };
  const ctx: ApiContext = {
    handler: opts.handler,
    catalog: opts.catalog,
    discovery,
    hub,
    seats: new Seats(
      {
        readOnly: opts.limits?.maxReadOnlyInFlight ?? 400,
        mutating: opts.limits?.maxMutatingInFlight ?? 200,
        queueLength: opts.limits?.queueLengthPerUser ?? 50,
        queueWaitMs: opts.limits?.queueWaitMs ?? 10_000,
        refusalDelayMs: opts.limits?.refusalDelayMs ?? 1000,
      },
      (request) => ctx.userOf(request),
      // The apiserver's own identity (in-process plugins call the registry directly and never queue here).
      (user) => user.name === 'system:apiserver',
    ),
    requestTimeoutMs: opts.limits?.requestTimeoutMs ?? 60_000,
    clock,
    maxObjectBytes: limits.maxObjectBytes,
    watchTimeoutSeconds: () => limits.minWatchTimeoutSeconds + Math.floor(random() * limits.minWatchTimeoutSeconds),
    userOf: (request) => {
      const u = users.get(request);
      if (!u) throw apiErrors.unauthorized();
      return u;
    },
    logUnexpected,
    streamHooks,
    audited: opts.audit !== undefined,
  };

  // Bodies stay Buffers until the verb knows what to expect: fastify never answers 400/415 itself
  // (empty DELETE bodies, patch and protobuf types all reach the handler).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, request, reply) => {
    const { error, unexpected } = translateError(err, limits.maxRequestBodyBytes);
    if (unexpected) logUnexpected(request, err, 'unexpected error');
    if (request.headers.upgrade) reply.header('Connection', 'close');
    return sendStatus(reply, error);
  });
  app.setNotFoundHandler((_request, reply) => sendStatus(reply, resourceNotFound()));

  const openPaths = new Set(opts.openPaths ?? []);
  app.addHook('onRequest', async (request, reply) => {
    // Decide on the matched route pattern, not the raw URL, so no path trick reaches an API route
    // anonymously; unmatched paths need authentication too.
    const route = request.routeOptions.url;
    if (route !== undefined && (isPublicPath(route) || openPaths.has(route))) return;
    if (shuttingDown) {
      // Clients retry elsewhere (HAProxy already sees /readyz failing); do not keep the connection.
      reply.header('Connection', 'close');
      throw apiErrors.unavailable('the apiserver is shutting down, please try again later');
    }
    let user = await authenticate(request);
    if (!user) throw apiErrors.unauthorized();
    if (wantsImpersonation(request.headers)) user = await impersonate(request.headers, user, opts.authorizer ?? mastersOnlyAuthorizer);
    users.set(request, user);
    // Anonymous callers stay unauthenticated connections for the connection limits.
    if (user !== ANONYMOUS) markAuthenticated(request.raw.socket);
    // Resource requests are authorized by the handler; every other path (discovery, OpenAPI,
    // /metrics, cluster endpoints) as a non-resource URL, as upstream.
    const path = request.url.split('?')[0]!;
    if (opts.authorizer && !isResourcePath(path)) {
      const attrs = { user, verb: nonResourceVerb(request.method), group: '', version: '', resource: '', path };
      const d = await opts.authorizer.authorize(attrs);
      if (!d.allowed) throw forbiddenError(attrs, d.reason);
    }
  });
  if (opts.audit) registerAudit(app, opts.audit, (r) => users.get(r), () => clock.now());
  if (opts.serviceAccountIssuer) {
    const issuer = opts.serviceAccountIssuer;
    app.get('/.well-known/openid-configuration', async (_req, reply) => reply.type('application/json').send(issuer.discovery()));
    app.get('/openid/v1/jwks', async (_req, reply) => reply.type('application/jwk-set+json').send(await issuer.jwks()));
  }
  // A refused Upgrade was answered on a socket that the HTTP server no longer manages, and the
  // websocket plugin may not have seen the request (authentication failed first): close it here,
  // or it stays half-open and server.close() waits on it.
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.headers.upgrade) (request.raw.socket as { destroySoon?: () => void }).destroySoon?.();
    done();
  });
  app.addHook('preClose', async () => {
    shuttingDown = true;
    await hub.closeAll();
  });
  app.addHook('onClose', async () => discovery.close());
  const adaptive = opts.limits?.adaptiveSeats;
  if (adaptive !== false) {
    let stopAdapting: (() => void) | undefined;
    app.addHook('onListen', async () => {
      stopAdapting ??= ctx.seats.startAdapting({ ...DEFAULT_ADAPTIVE_SEATS, ...adaptive });
    });
    app.addHook('onClose', async () => stopAdapting?.());
  }

  registerMetrics(app, metrics, { inFlight: () => ctx.seats.executing, rejected: () => ctx.seats.rejected, seatLimits: () => ({ readOnly: ctx.seats.readOnly.limit, mutating: ctx.seats.mutating.limit }), eventLoop: () => ctx.seats.lastSample, watches: () => hub.active, connections: () => connections });
  registerHealthRoutes(app, {
    liveness: opts.liveness ?? [],
    readiness: opts.readiness ?? [],
    version: opts.version,
    isShuttingDown: () => shuttingDown,
    readyInfo: opts.readyInfo,
  });

  void app.register(websocket);
  void app.register(async (child) => registerApiRoutes(child, ctx));
  if (opts.openapi) void app.register(async (child) => opts.openapi!(child));
  return app;
}

/**
 * Whether a path names a resource (authorized by the handler with resource attributes):
 * /api/v1/<resource>... and /apis/<group>/<version>/<resource>...; discovery levels are not.
 */
export function isResourcePath(path: string): boolean {
  const segs = path.split('/').filter(Boolean);
  if (segs[0] === 'api') return segs.length >= 3;
  if (segs[0] === 'apis') return segs.length >= 4;
  return false;
}

function noSchemaCompiler(): never {
  throw new Error('kplane routes declare no fastify schemas');
}

function registerApiRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const pending = new WeakMap<object, PendingWebsocketWatch>();
  const httpHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    await serveApi(ctx, request, reply);
    return reply;
  };
  for (const url of API_PATHS) {
    app.route({
      method: 'GET',
      url,
      // An Upgrade request is checked and its watch opened here, before the 101, so that every
      // refusal is still an HTTP Status.
      preHandler: async (request, reply) => {
        if (!request.ws) return;
        const watch = await serveApi(ctx, request, reply, 'ws');
        if (!watch) return reply;
        pending.set(request.raw, watch);
        request.raw.socket.once('close', () => {
          if (pending.delete(request.raw)) watch.session.done();
        });
      },
      handler: httpHandler,
      wsHandler: (socket, request) => {
        const watch = pending.get(request.raw);
        pending.delete(request.raw);
        if (!watch) return socket.close(1011);
        void streamWebsocketWatch(socket, watch.session, watch.events, watch.encode, ctx.streamHooks);
      },
    });
    app.route({
      method: ['POST', 'PUT', 'PATCH', 'DELETE'],
      url,
      // SPDY upgrades (exec/attach/port-forward from kubectl <= 1.29) are answered over HTTP here,
      // before the websocket plugin would try (and fail) to speak websocket on them.
      preHandler: async (request, reply) => {
        if (!request.headers.upgrade) return;
        await serveApi(ctx, request, reply);
        return reply;
      },
      handler: httpHandler,
    });
  }
}

/** Starts listening; resolves with the bound address (port 0 picks a free port). */
export async function listen(app: ApiServer, host: string, port: number): Promise<{ host: string; port: number; url: string }> {
  await app.listen({ host, port });
  const addr = app.server.address() as AddressInfo;
  const secure = typeof (app.server as { setSecureContext?: unknown }).setSecureContext === 'function';
  const h = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return { host: addr.address, port: addr.port, url: `${secure ? 'https' : 'http'}://${h}:${addr.port}` };
}
