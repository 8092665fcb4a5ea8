import type { FastifyReply } from 'fastify';
import { ApiError, apiErrors, isStackOverflow, type StatusReason } from '../api/index.js';

/**
 * The apiserver's error boundary: whatever was thrown becomes a metav1.Status. ApiErrors pass
 * through; fastify's own errors (body limit, content type, bad framing) are mapped by their code;
 * anything else is an unexpected 500 that the caller logs once.
 */
export interface TranslatedError {
  error: ApiError;
  /** Not an ApiError or a known framework error: log it. */
  unexpected: boolean;
}

const CODE_REASON: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
}

export function translateError(err: unknown, bodyLimit: number): TranslatedError {
  // Bodies within the decoder's depth limit (upstream's 10,000) can still be deeper than the
  // recursive walks after it (cloning, validation, field management) have stack for: that is a
  // limit on the input, refused like the decoder's own, and nothing was written.
  if (isStackOverflow(err) || (err instanceof ApiError && err.code === 500 && isStackOverflow(err.cause))) {
    return { error: apiErrors.badRequest('the object is nested too deeply to be processed'), unexpected: false };
  }
  // An InternalError from below (the registry wraps what it did not expect) is a defect too.
  if (err instanceof ApiError) return { error: err, unexpected: err.code >= 500 && err.reason === 'InternalError' };
  const fe = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { error: apiErrors.tooLarge(`Request entity too large: limit is ${bodyLimit}`), unexpected: false };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { error: apiErrors.unsupportedMediaType(''), unexpected: false };
  }
  const code = fe.statusCode;
  if (typeof code === 'number' && code >= 400 && code < 500) {
    const reason = CODE_REASON[code] ?? 'BadRequest';
    return { error: new ApiError(reason, fe.message ?? reason, { code }), unexpected: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: apiErrors.internal(message, err), unexpected: true };
}

/** Writes a Status body with its HTTP code; 429 and 504 carry Retry-After from the details. */
export function sendStatus(reply: FastifyReply, err: ApiError): FastifyReply {
  const retry = err.details?.retryAfterSeconds;
  if (retry !== undefined && (err.code === 429 || err.code === 503 || err.code === 504)) reply.header('Retry-After', String(retry));
  return sendJson(reply.code(err.code), JSON.stringify(err.status));
}

/**
 * Sends serialized JSON with exactly this Content-Type. A reply serializer (here the identity)
 * keeps fastify from appending "; charset=utf-8", so the aggregated-discovery media type is echoed
 * byte for byte; the string goes to the socket as is, without a Buffer copy of the whole body
 * (a 5000-item LIST is 7 MB).
 */
export function sendJson(reply: FastifyReply, body: string, contentType = 'application/json'): FastifyReply {
  return reply.header('Content-Type', contentType).serializer(asIs).send(body);
}

const asIs = (s: unknown) => s as string;

/**
 * `Warning: 299 - "<text>"` header values, quotes and backslashes escaped as RFC 7234 requires.
 * Warnings quote client input (unknown field names): control characters are shown as \uXXXX, and
 * the text goes out as UTF-8 bytes as Go's server sends it (Node refuses header characters above
 * U+00FF, so each byte is carried as one latin1 character). A header that could not be written
 * would fail the response after the write it reports on had committed.
 */
export function warningHeaders(warnings: string[] | undefined): string[] {
  return (warnings ?? []).map((w) => `299 - "${headerSafe(w).replace(/[\\"]/g, (c) => `\\${c}`)}"`);
}

export function headerSafe(text: string): string {
  const visible = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(visible, 'utf8').toString('latin1');
}
