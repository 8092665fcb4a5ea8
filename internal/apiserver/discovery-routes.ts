import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../api/index.js';
import type { ResourceCatalog } from '../registry/index.js';
import { aggregatedDiscoveryDoc, etagMatches, etagOf } from './aggregated-discovery.js';
import { apiGroupDoc, apiGroupListDoc, apiResourceListDoc, apiVersionsDoc } from './discovery.js';
import { chooseDiscoveryOutput } from './negotiate.js';
import type { ApiPath } from './path.js';
import { resourceNotFound } from './resolve.js';
import { sendJson } from './status.js';

interface Cached {
  body: string;
  etag: string;
}

/**
 * Serves discovery, caching each serialized document until the catalog changes (CRDs come and go
 * live, so documents are never built at startup only).
 */
export class DiscoveryService {
  #cache = new Map<string, Cached | null>();
  readonly #unsubscribe: () => void;

  constructor(private readonly catalog: ResourceCatalog) {
    this.#unsubscribe = catalog.onChange(() => this.#cache.clear());
  }

  close(): void {
    this.#unsubscribe();
  }

  #get(key: string, build: () => unknown): Cached | null {
    let c = this.#cache.get(key);
    if (c === undefined) {
      const doc = build();
      const body = doc === undefined ? undefined : JSON.stringify(doc);
      c = body === undefined ? null : { body, etag: etagOf(body) };
      this.#cache.set(key, c);
    }
    return c;
  }

  serve(request: FastifyRequest, reply: FastifyReply, path: Exclude<ApiPath, { kind: 'resource' }>): FastifyReply {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw apiErrors.methodNotAllowed();
    const defs = () => this.catalog.definitions();
    if (path.kind === 'root') {
      const out = chooseDiscoveryOutput(request.headers.accept);
      reply.header('Vary', 'Accept');
      if (out.kind === 'aggregated') {
        const doc = this.#get(`agg:${path.core}:${out.version}`, () => aggregatedDiscoveryDoc(defs(), path.core, out.version))!;
        reply.header('ETag', doc.etag);
        if (etagMatches(request.headers['if-none-match'], doc.etag)) return reply.code(304).send();
        return sendJson(reply, doc.body, out.contentType);
      }
      if (path.core) {
        // Not cached: the address is the one this client reached us on.
        return json(reply, JSON.stringify(apiVersionsDoc(serverAddress(request))));
      }
      return json(reply, this.#get('apis', () => apiGroupListDoc(defs()))!.body);
    }
    const doc =
      path.kind === 'group'
        ? this.#get(`g:${path.group}`, () => apiGroupDoc(defs(), path.group))
        : this.#get(`gv:${path.group}/${path.version}`, () => apiResourceListDoc(defs(), path.group, path.version));
    if (!doc) throw resourceNotFound();
    return json(reply, doc.body);
  }
}

const json = (reply: FastifyReply, body: string) => sendJson(reply, body);

function serverAddress(request: FastifyRequest): string {
  const s = request.raw.socket;
  if (s?.localAddress && s.localPort) {
    const host = s.localAddress.includes(':') ? `[${s.localAddress}]` : s.localAddress;
    return `${host}:${s.localPort}`;
  }
  return request.headers.host ?? 'localhost';
}
