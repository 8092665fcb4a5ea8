import {
  ApiError,
  apiErrors,
  bodyFormatOf,
  codecErrorToApiError,
  decodeJsonBody,
  decodeRequestBody,
  decodeYamlBody,
  isCodecError,
  mediaTypeOf,
  type KubeObject,
} from '../api/index.js';
import type { PatchType } from '../registry/index.js';

/**
 * Request-body decoding. fastify hands every body over as a Buffer (one catch-all parser), so the
 * framework never answers 400/415 on its own; decoding happens here, per verb, into Status errors.
 * The formats themselves (JSON, YAML, Kubernetes protobuf) are internal/api's codec.
 */

function asObject(v: unknown): KubeObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw apiErrors.badRequest("Object 'Kind' is missing in the request body");
  }
  const o = v as KubeObject;
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) throw apiErrors.badRequest('metadata must be an object');
  return o;
}

function checkObjectSize(obj: unknown, rawLength: number, maxObjectBytes: number): void {
  // The raw length bounds JSON text from above; only re-serialize when it is over the limit
  // (protobuf is denser than JSON, so it is always measured).
  if (rawLength <= maxObjectBytes) return;
  const size = Buffer.byteLength(JSON.stringify(obj));
  if (size > maxObjectBytes) throw apiErrors.tooLarge(`Request entity too large: object is ${size} bytes, limit is ${maxObjectBytes}`);
}

/** Decodes a create/update (or subresource POST) body: JSON, YAML or Kubernetes protobuf. */
export function decodeObject(buf: Buffer | undefined, contentType: string | undefined, maxObjectBytes: number): KubeObject {
  const decoded = decodeRequestBody(contentType, buf);
  if (decoded === undefined) throw apiErrors.badRequest('the request body is empty: an object is required');
  const obj = asObject(decoded);
  // Only JSON text bounds its decoded size: protobuf is denser, and YAML aliases expand.
  const json = bodyFormatOf(contentType) === 'json';
  checkObjectSize(obj, json ? buf!.length : Infinity, maxObjectBytes);
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
  const patchType = PATCH_TYPES[mediaTypeOf(contentType)];
  if (!patchType || (custom && patchType === 'strategic')) {
    const accepted = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    if (!custom) accepted.push('application/strategic-merge-patch+json');
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }
  let patch: unknown;
  try {
    // An apply body may be YAML or JSON text; YAML is a superset of JSON.
    patch = buf && buf.length ? (patchType === 'apply' ? decodeYamlBody(buf) : decodeJsonBody(buf)) : undefined;
  } catch (err) {
    if (isCodecError(err)) throw codecErrorToApiError(err, buf);
    throw err;
  }
  if (patch === undefined) throw apiErrors.badRequest('the request body is empty: a patch is required');
  checkObjectSize(patch, patchType === 'apply' ? Infinity : buf!.length, maxObjectBytes);
  return { patchType, patch };
}

/**
 * DeleteOptions are optional: client-node and Python send `Content-Type: application/json` with an
 * empty body, which must not be an error. Go clients may send them as protobuf.
 */
export function decodeDeleteOptions(buf: Buffer | undefined, contentType: string | undefined): Record<string, unknown> | undefined {
  if (!buf || buf.length === 0) return undefined;
  const v = decodeRequestBody(contentType, buf);
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw apiErrors.badRequest('DeleteOptions must be a JSON object');
  return v as Record<string, unknown>;
}
