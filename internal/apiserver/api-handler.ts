import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors, type KubeObject, type WatchEvent } from '../api/index.js';
import { itemJson, type ApiRequest, type ApiResponse, type Handler, type ResourceCatalog, type ResourceDefinition, type UserInfo } from '../registry/index.js';
import type { Clock } from '../util/index.js';
import { noteAuditAnnotations, noteRequestObject } from './audit/index.js';
import { decodeDeleteOptions, decodeObject, decodePatch } from './body.js';
import { isConnect, refuseConnect } from './connect.js';
import { bigArrayOf, jsonSliceStream } from './json-slices.js';
import type { DiscoveryService } from './discovery-routes.js';
import type { Seats } from './seats.js';
import { chooseObjectOutput, type ObjectOutput } from './negotiate.js';
import { parseApiPath } from './path.js';
import { deleteParams, first, isWatchRequest, listParams, patchParams, validateListParams, watchParams, writeParams, type Query } from './query.js';
import { namespaceSubresourceOf, resolveResource, resourceNotFound, type ResolvedRequest } from './resolve.js';
import { sendJson, warningHeaders } from './status.js';
import { eventToTable, isList, listToPartial, listToTable, objectToTable, toPartial, type IncludeObject } from './table.js';
import { streamHttpWatch, type StreamHooks, type WatchHub, type WatchSession } from './watch.js';
import { encodeLine, sharedWatchEncoder, type WatchEncoder } from './watch-encode.js';

/** Everything the API routes need, built once by createApiServer. */
export interface ApiContext {
  handler: Handler;
  catalog: ResourceCatalog;
  discovery: DiscoveryService;
  hub: WatchHub;
  seats: Seats;
  /** Non-watch requests taking longer are answered 504 (their seat is held until they finish). */
  requestTimeoutMs: number;
  clock: Clock;
  maxObjectBytes: number;
  /** Watch length when the client sends no timeoutSeconds: [min, 2·min) seconds, like upstream. */
  watchTimeoutSeconds(): number;
  userOf(request: FastifyRequest): UserInfo;
  /** Logs an internal error once at error level (method, URL, user, stack) and counts it. */
  logUnexpected(request: FastifyRequest, err: unknown, msg: string): void;
  streamHooks: StreamHooks;
  /** An audit log is written: requests note their decoded bodies and collect audit annotations. */
  audited?: boolean;
}

/** A websocket watch that passed every check and awaits the protocol upgrade. */
export interface PendingWebsocketWatch {
  session: WatchSession;
  events: AsyncIterable<WatchEvent>;
  encode: WatchEncoder;
}

const tooManyRequests = () => apiErrors.tooManyRequests('Too many requests, please try again later.');

/**
 * Serves every /api and /apis request. In 'ws' mode (an Upgrade request) a watch is prepared and
 * returned instead of streamed, and every other request is answered over plain HTTP.
 */
export async function serveApi(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  mode: 'http' | 'ws' = 'http',
): Promise<PendingWebsocketWatch | undefined> {
  const path = parseApiPath(request.url.split('?')[0]!, namespaceSubresourceOf(ctx.catalog));
  if (!path) throw resourceNotFound();
  const query = request.query as Query;
  if (path.kind !== 'resource') {
    const release = await ctx.seats.acquire(request, false);
    try {
      ctx.discovery.serve(request, reply, path);
    } finally {
      release();
    }
    return undefined;
  }
  const resolved = resolveResource(ctx.catalog, request.method, path, isWatchRequest(query));
  // A deprecated resource warns on every request, failed ones included (the error reply keeps it).
  if (resolved.def.deprecationWarning) addWarnings(reply, [resolved.def.deprecationWarning]);
  if (resolved.verb === 'watch') return startWatch(ctx, request, reply, resolved, query, mode);
  if (isConnect(resolved)) return refuseConnect(ctx.handler, ctx.userOf(request), resolved);
  const seat = await ctx.seats.acquire(request, MUTATING.has(resolved.verb));
  // (An upgrade request's reply is the raw socket's: it may stay open after the answer.)
  const release = mode === 'http' ? heldUntilAnswered(reply, seat) : seat;
  let handled: Promise<ApiResponse>;
  try {
    // Decoding the body is work too: it happens in the seat.
    const req = buildRequest(ctx, request, resolved, query);
    if (ctx.audited) {
      noteRequestObject(request, 'body' in req ? req.body : 'patch' in req ? req.patch : undefined);
      const annotations = new Map<string, string>();
      noteAuditAnnotations(request, annotations);
      req.auditAnnotations = annotations;
    }
    handled = ctx.handler.handle(req);
  } catch (err) {
    release();
    throw err;
  }
  // The seat is held until the handler finishes, also when the client was answered 504 before.
  const res = await withTimeout(handled.finally(release), ctx.requestTimeoutMs);
  sendResponse(ctx, request, reply, resolved, res, query);
  return undefined;
}

/**
 * The seat, released once both the handler finished (the caller calls the result) and the response
 * is out (or its connection closed). A big list is written after its handler returned, a slice a
 * turn (json-slices.ts), and that writing is most of its work: counted in the seat, one client's
 * lists in a loop take its share of the seats (fairness.ts), not every turn of the event loop.
 */
export function heldUntilAnswered(reply: FastifyReply, release: () => void): () => void {
  let parts = 2;
  const part = () => {
    if (--parts === 0) release();
  };
  if (reply.raw.closed) part();
  else reply.raw.once('close', part);
  let handlerDone = false;
  return () => {
    if (handlerDone) return;
    handlerDone = true;
    part();
  };
}

/** Appends Warning header values (299 warn-code, text quoted) to those already on the reply. */
function addWarnings(reply: FastifyReply, warnings: string[] | undefined): void {
  const added = warningHeaders(warnings);
  if (added.length === 0) return;
  const had = reply.getHeader('Warning');
  const before = had === undefined ? [] : Array.isArray(had) ? had.map(String) : [String(had)];
  reply.header('Warning', [...before, ...added]);
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** upstream's --request-timeout: 504 Timeout; a write may still complete after it (its effect is unknown, as upstream's). */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return p;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(apiErrors.timeout(`request did not complete within the allotted timeout of ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([p, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

type NonWatchRequest = Exclude<ApiRequest, { verb: 'watch' }>;

function target(ctx: ApiContext, request: FastifyRequest, r: ResolvedRequest) {
  return {
    user: ctx.userOf(request),
    group: r.def.group,
    version: r.def.version,
    resource: r.def.plural,
    ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
  };
}

function buildRequest(ctx: ApiContext, request: FastifyRequest, r: ResolvedRequest, q: Query): NonWatchRequest {
  const t = target(ctx, request, r);
  const body = request.body as Buffer | undefined;
  const contentType = request.headers['content-type'];
  switch (r.verb) {
    case 'get':
      return { ...t, verb: 'get', params: resourceVersionOnly(q) };
    case 'list': {
      const params = listParams(q);
      validateListParams(params, first(q, 'sendInitialEvents') === undefined ? undefined : true);
      return { ...t, verb: 'list', params };
    }
    case 'create':
      return { ...t, verb: 'create', body: decodeObject(body, contentType, ctx.maxObjectBytes), params: writeParams(q) };
    case 'update':
      return { ...t, verb: 'update', body: decodeObject(body, contentType, ctx.maxObjectBytes), params: writeParams(q) };
    case 'patch':
      return { ...t, verb: 'patch', ...decodePatch(body, contentType, r.def.custom === true, ctx.maxObjectBytes), params: patchParams(q) };
    case 'delete':
      return { ...t, verb: 'delete', params: deleteParams(q, decodeDeleteOptions(body, contentType)) };
    case 'deletecollection':
      return { ...t, verb: 'deletecollection', params: { ...listParams(q), ...deleteParams(q, decodeDeleteOptions(body, contentType)) } };
    default:
      throw apiErrors.methodNotAllowed();
  }
}

function resourceVersionOnly(q: Query): { resourceVersion?: string } {
  const rv = first(q, 'resourceVersion');
  return rv ? { resourceVersion: rv } : {};
}

function includeObjectOf(q: Query): IncludeObject {
  const v = first(q, 'includeObject');
  if (v === undefined || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw apiErrors.badRequest(`includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "None", "Metadata", "Object"`);
}

function shapeBody(def: ResourceDefinition, body: ApiResponse['body'], out: ObjectOutput, q: Query, now: number): unknown {
  if (out.kind === 'plain' || (body as { kind?: string }).kind === 'Status') return body;
  if (out.kind === 'partial') return isList(body) ? listToPartial(body, out.version) : toPartial(body as KubeObject, out.version);
  const opts = { version: out.version, includeObject: includeObjectOf(q), now };
  return isList(body) ? listToTable(def, body, opts) : objectToTable(def, body as KubeObject, opts);
}

/**
 * Answers with the handler's result. A write has committed by now, so nothing here may turn into an
 * error response: a body that cannot be shaped is logged and answered with a success Status instead
 * (the client is never told a write failed when it succeeded).
 */
function sendResponse(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, r: ResolvedRequest, res: ApiResponse, q: Query): void {
  addWarnings(reply, res.warnings);
  // Table and PartialObjectMetadata only exist for reads of the resource itself.
  const reading = (r.verb === 'get' || r.verb === 'list') && r.subresource === undefined;
  let text: string;
  try {
    const out = reading ? chooseObjectOutput(request.headers.accept) : ({ kind: 'plain' } as const);
    const shaped = shapeBody(r.def, res.body, out, q, ctx.clock.now());
    const big = reading ? bigArrayOf(shaped) : undefined;
    if (big) {
      // A big list goes out in slices, other requests served between them (json-slices.ts).
      // A plain list's items are the registry's: their JSON is made once per stored object (itemJson).
      const encode = shaped === res.body && big === 'items' ? itemJson : undefined;
      reply.code(res.code).header('Content-Type', 'application/json').send(jsonSliceStream(shaped as Record<string, unknown>, big, encode));
      return;
    }
    text = JSON.stringify(shaped);
  } catch (err) {
    if (reading) throw err; // nothing was written: the error handler answers (and logs a 500)
    ctx.logUnexpected(request, err, 'response to a committed write could not be encoded');
    text = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: res.code, message: `the ${r.verb} succeeded, but its result could not be encoded` });
  }
  sendJson(reply.code(res.code), text);
}

function watchEncoder(r: ResolvedRequest, out: ObjectOutput, q: Query, clock: Clock): WatchEncoder {
  if (out.kind === 'plain') return sharedWatchEncoder('plain', (ev) => ev);
  if (out.kind === 'partial') {
    return sharedWatchEncoder(`partial/${out.version}`, (ev) =>
      ev.type === 'ERROR' || ev.type === 'BOOKMARK' ? ev : { type: ev.type, object: toPartial(ev.object, out.version) },
    );
  }
  // A Table depends on the watcher (its first event carries the column definitions) and the time.
  const includeObject = includeObjectOf(q);
  let firstEvent = true;
  return (ev) => {
    const t = eventToTable(r.def, ev, { version: out.version, includeObject, now: clock.now() }, firstEvent);
    if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') firstEvent = false;
    return encodeLine(t);
  };
}

async function startWatch(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  r: ResolvedRequest,
  q: Query,
  mode: 'http' | 'ws',
): Promise<PendingWebsocketWatch | undefined> {
  const params = watchParams(q);
  if (r.name !== undefined) {
    // A watch on one item is a collection watch narrowed by name, as upstream converts it.
    const byName = `metadata.name=${r.name.replace(/[\\,=]/g, (c) => `\\${c}`)}`;
    params.fieldSelector = params.fieldSelector ? `${params.fieldSelector},${byName}` : byName;
  }
  const encode = watchEncoder(r, chooseObjectOutput(request.headers.accept), q, ctx.clock);
  if (mode === 'ws') checkWebsocketHeaders(request);
  const session = ctx.hub.start(params.timeoutSeconds ?? ctx.watchTimeoutSeconds(), ctx.userOf(request).name);
  if (!session) throw tooManyRequests();
  let events: AsyncIterable<WatchEvent>;
  try {
    // Starting a watch (its snapshot of initial events, its registration) takes a read-only seat,
    // as upstream's priority and fairness counts a watch's initialization; the stream then holds none.
    const release = await ctx.seats.acquire(request, false);
    try {
      const { name: _name, ...t } = target(ctx, request, r);
      ({ events } = await ctx.handler.watch({ ...t, verb: 'watch', params, signal: session.signal }));
    } finally {
      release();
    }
  } catch (err) {
    session.done();
    throw err;
  }
  if (mode === 'ws') return { session, events, encode };
  reply.hijack();
  const warned = reply.getHeader('Warning');
  if (warned !== undefined) reply.raw.setHeader('Warning', warned);
  await streamHttpWatch(reply.raw, session, events, encode, ctx.streamHooks);
  return undefined;
}

/**
 * kube-apiserver's websocket library refuses upgrades without an Origin (403) and more than one
 * offered subprotocol (400); we answer the same, before upgrading.
 */
function checkWebsocketHeaders(request: FastifyRequest): void {
  if (!request.headers.origin) throw apiErrors.forbidden({ group: '', resource: 'websocket' }, '', 'an Origin header is required for websocket requests');
  const protocols = request.headers['sec-websocket-protocol'];
  if (protocols && protocols.split(',').filter((p) => p.trim()).length > 1) {
    throw apiErrors.badRequest('at most one websocket subprotocol may be requested');
  }
}
