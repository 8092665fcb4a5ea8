import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenApiService, ServedDocument } from './service.js';

/** kubectl 1.27/1.28 ask for the gnostic protobuf form of /openapi/v2. */
export const GNOSTIC_V2_MEDIA = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function etagMatches(req: FastifyRequest, etag: string): boolean {
  const inm = req.headers['if-none-match'];
  return typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function send(req: FastifyRequest, reply: FastifyReply, doc: ServedDocument, contentType: string) {
  const etag = `"${doc.hash}"`;
  reply.header('ETag', etag).header('Vary', 'Accept');
  if (etagMatches(req, etag)) return reply.code(304).send();
  return reply.type(contentType).send(doc.body);
}

/**
 * Mounts /openapi/v2 and /openapi/v3[/...] (api-surface.md §3): ETag/304 everywhere; on v3 group
 * documents a matching ?hash= is immutable for a year and a stale one redirects (301) to the current URL.
 */
export function registerOpenApiRoutes(app: FastifyInstance, service: OpenApiService): void {
  app.get('/openapi/v3', async (req, reply) => send(req, reply, service.v3Index(), 'application/json'));

  app.get('/openapi/v3/*', async (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    const doc = service.v3Document(path);
    if (!doc) return reply.code(404).type('text/plain').send('404 page not found');
    const hash = (req.query as { hash?: string }).hash;
    if (hash !== undefined) {
      if (hash !== doc.hash) return reply.code(301).header('Location', `/openapi/v3/${path}?hash=${doc.hash}`).send();
      reply.header('Cache-Control', 'public, immutable').header('Expires', new Date(Date.now() + 365 * 86400_000).toUTCString());
    } else {
      reply.header('Cache-Control', 'no-cache, private');
    }
    return send(req, reply, doc, 'application/json');
  });

  app.get('/openapi/v2', async (req, reply) => {
    const accept = String(req.headers.accept ?? '');
    if (accept.includes(GNOSTIC_V2_MEDIA)) {
      return send(req, reply, service.v2Protobuf(), 'application/octet-stream');
    }
    return send(req, reply, service.v2Json(), 'application/json');
  });
}
