import YAML from 'yaml';
import { ApiError, apiErrors, type KubeObject } from '../api/index.js';
import type { PatchType } from '../registry/index.js';
import { decodeProtobufObject } from './protobuf.js';

/**
 * Request-body decoding. fastify hands every body over as a Buffer (one catch-all parser), so the
 * framework never answers 400/415 on its own; decoding happens here, per verb, into Status errors.
 */

/** "application/json" from "application/json; charset=utf-8". */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function isEmpty(buf: Buffer | undefined): buf is undefined {
  return !buf || buf.length === 0 || buf.toString('utf8').trim() === '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw apiErrors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch (e) {
    throw apiErrors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
}

/** YAML is a superset of JSON, but JSON.parse is exact and fast for what most clients send. */
function parseJsonOrYaml(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      // fall through: flow-style YAML also starts with { or [
    }
  }
  return parseYaml(text);
}

function asObject(v: unknown): KubeObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw apiErrors.badRequest("Object 'Kind' is missing in the request body");
  }
  const o = v as KubeObject;
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) {
    throw apiErrors.badRequest('metadata must be an object');
  }
  return o;
}

function checkObjectSize(obj: unknown, rawLength: number, maxObjectBytes: number): void {
  // The raw length is an upper bound for JSON; only re-serialize when it is over the limit.
  if (rawLength <= maxObjectBytes) return;
  const size = Buffer.byteLength(JSON.stringify(obj));
  if (size > maxObjectBytes) throw apiErrors.tooLarge(`Request entity too large: object is ${size} bytes, limit is ${maxObjectBytes}`);
}

/** Decodes a create/update (or subresource POST) body: JSON, YAML or Kubernetes protobuf. */
export function decodeObject(buf: Buffer | undefined, contentType: string | undefined, maxObjectBytes: number): KubeObject {
  const media = mediaTypeOf(contentType);
  if (isEmpty(buf)) throw apiErrors.badRequest('the request body is empty: an object is required');
  let obj: KubeObject;
  switch (media) {
    case 'application/json':
    case '':
      obj = asObject(parseJson(buf.toString('utf8')));
      break;
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      obj = asObject(parseYaml(buf.toString('utf8')));
      break;
    case 'application/vnd.kubernetes.protobuf':
      obj = asObject(decodeProtobufObject(buf));
      checkObjectSize(obj, Infinity, maxObjectBytes);
      return obj;
    default:
      throw apiErrors.unsupportedMediaType(media);
  }
  checkObjectSize(obj, buf.length, maxObjectBytes);
  return obj;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/apply-patch+yaml': 'apply',
  'application/strategic-merge-patch+json': 'strategic',
};

/**
 * Decodes a PATCH body. Custom resources do not support strategic merge patch: 415, listing the
 * accepted types, which is how kubectl learns to use merge-patch for them.
 */
export function decodePatch(
  buf: Buffer | undefined,
  contentType: string | undefined,
  custom: boolean,
  maxObjectBytes: number,
): { patchType: PatchType; patch: unknown } {
  const media = mediaTypeOf(contentType);
  const patchType = PATCH_TYPES[media];
  if (!patchType || (custom && patchType === 'strategic')) {
    const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    if (!custom) accepted.push('application/strategic-merge-patch+json');
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }
  if (isEmpty(buf)) throw apiErrors.badRequest('the request body is empty: a patch is required');
  const text = buf.toString('utf8');
  const patch = patchType === 'apply' ? parseJsonOrYaml(text) : parseJson(text);
  checkObjectSize(patch, buf.length, maxObjectBytes);
  return { patchType, patch };
}

/**
 * DeleteOptions are optional: client-node and Python send `Content-Type: application/json` with an
 * empty body, which must not be an error.
 */
export function decodeDeleteOptions(buf: Buffer | undefined, contentType: string | undefined): Record<string, unknown> | undefined {
  if (isEmpty(buf)) return undefined;
  const media = mediaTypeOf(contentType);
  let v: unknown;
  if (media === 'application/vnd.kubernetes.protobuf') v = decodeProtobufObject(buf);
  else if (media === 'application/yaml') v = parseYaml(buf.toString('utf8'));
  else if (media === 'application/json' || media === '') v = parseJson(buf.toString('utf8'));
  else throw apiErrors.unsupportedMediaType(media);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw apiErrors.badRequest('DeleteOptions must be a JSON object');
  return v as Record<string, unknown>;
}
