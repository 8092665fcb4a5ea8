import type * as Yaml from 'yaml';
import { lazyModule } from '../../util/index.js';
import { ApiError, apiErrors } from '../errors.js';
import { CodecError, isCodecError } from './codec-error.js';
import { checkExpandedSize, checkJsonDepth, isStackOverflow, MAX_NESTING_DEPTH, tooDeep } from './depth.js';
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
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError('Malformed', `couldn't get version/kind; json parse error: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * How far a YAML body's aliases may expand it, as JSON bytes: the request body limit, so a YAML body
 * never stands for more than a JSON body could carry.
 */
export const MAX_YAML_EXPANDED_BYTES = 3 * 1024 * 1024;

/** Aliases a YAML body may resolve (the yaml library's own bomb check, weighted by nested aliases). */
const MAX_YAML_ALIASES = 1000;

/**
 * Parses a single YAML document (request bodies are never multi-document) into plain JSON data:
 * no shared or cyclic nodes, at most MAX_NESTING_DEPTH deep, at most MAX_YAML_EXPANDED_BYTES.
 */
export function decodeYamlBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    const docs = yaml().parseAllDocuments(text);
    if (!Array.isArray(docs)) return undefined; // empty stream
    const real = docs.filter((d) => d.contents !== null || d.errors.length > 0);
    if (real.length === 0) return undefined;
    if (real.length > 1) throw new CodecError('Malformed', 'expected a single YAML document in the request body');
    const doc = real[0]!;
    if (doc.errors.length > 0) {
      // The yaml parser turns its own stack overflow into a document error.
      const message = doc.errors.some((e) => /call stack/.test(e.message)) ? 'exceeded max depth (nested too deeply to parse)' : doc.errors[0]!.message;
      throw new CodecError('Malformed', `error converting YAML to JSON: ${message}`);
    }
    const value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    checkExpandedSize(value, MAX_YAML_EXPANDED_BYTES);
    // Shared nodes become copies: later code mutates objects in place (defaulting, managed fields).
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  } catch (err) {
    if (isStackOverflow(err)) throw tooDeep(MAX_NESTING_DEPTH);
    // The yaml library's bomb check throws a ReferenceError.
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new CodecError('Malformed', `error converting YAML to JSON: too many aliases (at most ${MAX_YAML_ALIASES} may be resolved): ${err.message}`);
    }
    throw err;
  }
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
