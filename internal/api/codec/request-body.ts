import type * as Yaml from 'yaml';
import { lazyModule } from '../../util/index.js';
import { ApiError, apiErrors } from '../errors.js';
import { CodecError, isCodecError } from './codec-error.js';
import { PROTOBUF_CONTENT_TYPE, decodeProtobufObject } from './protobuf-envelope.js';

// Loaded on the first YAML body: few clients send one, and loading it slows every start.
const yaml = lazyModule<typeof Yaml>('yaml');

/** The body formats decodeRequestBody reads (patch bodies are decoded by internal/api/patch). */
export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Which decoder a Content-Type selects, or undefined for anything else. */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | undefined {
  switch (mediaTypeOf(contentType)) {
    case 'application/json':
    case '': // client-node and Python send DELETE with no or an empty body
      return 'json';
    case 'application/yaml':
      return 'yaml';
    case PROTOBUF_CONTENT_TYPE:
      return 'protobuf';
    default:
      return undefined;
  }
}

/** First bytes of a body for error messages, as upstream's summarizeData does. */
function summarize(body: Buffer): string {
  const text = body.subarray(0, 30).toString('utf8');
  return body.length > 30 ? `${text}...` : text;
}

/** Parses JSON; a CodecError Malformed names the position like Go's decoder would. */
export function decodeJsonBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError('Malformed', `couldn't get version/kind; json parse error: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses a single YAML document (request bodies are never multi-document). */
export function decodeYamlBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const docs = yaml().parseAllDocuments(text);
  if (!Array.isArray(docs)) return undefined; // empty stream
  const real = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (real.length === 0) return undefined;
  if (real.length > 1) throw new CodecError('Malformed', 'expected a single YAML document in the request body');
  const doc = real[0]!;
  if (doc.errors.length > 0) throw new CodecError('Malformed', `error converting YAML to JSON: ${doc.errors[0]!.message}`);
  return doc.toJS();
}

/**
 * Decodes a create/update request body by Content-Type into plain JSON (undefined for an empty
 * body). Throws ApiError: 400 BadRequest for bodies that do not decode, 415 for other media types.
 */
export function decodeRequestBody(contentType: string | undefined, body: Buffer | string | undefined): unknown {
  const format = bodyFormatOf(contentType);
  if (!format) throw apiErrors.unsupportedMediaType(mediaTypeOf(contentType));
  const buf = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
  if (buf.length === 0) return undefined;
  try {
    if (format === 'json') return decodeJsonBody(buf);
    if (format === 'yaml') return decodeYamlBody(buf);
    return decodeProtobufObject(buf);
  } catch (err) {
    if (isCodecError(err)) throw codecErrorToApiError(err, buf);
    throw err;
  }
}

/** The one translation from CodecError to a Kubernetes Status. */
export function codecErrorToApiError(err: CodecError, body?: Buffer): ApiError {
  if (err.code === 'UnsupportedMediaType') return new ApiError('UnsupportedMediaType', err.message, { cause: err });
  const summary = body && err.code === 'Malformed' && !isBinary(body) ? ` (${summarize(body)})` : '';
  const message = err.code === 'Malformed' && summary ? `the object provided is unrecognized${summary}: ${err.message}` : err.message;
  return new ApiError('BadRequest', message, { cause: err });
}

function isBinary(body: Buffer): boolean {
  return body.subarray(0, 4).includes(0);
}
