import type protobuf from 'protobufjs';
import type { KubeObject } from '../types.js';
import { CodecError } from './codec-error.js';
import { checkJsonDepth, isStackOverflow, tooDeep } from './depth.js';
import { type JsonCodec, createJsonCodec } from './protobuf-json.js';
import { type ProtoSchema, protoSchema } from './protobuf-schema.js';

/**
 * Kubernetes' protobuf wire format: the 4 bytes "k8s\0", then a runtime.Unknown message
 * {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType} whose `raw` is the kind's
 * message from the k8s.io/api generated.proto files.
 */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

let codec: JsonCodec | undefined;
function jsonCodec(schema: ProtoSchema): JsonCodec {
  return (codec ??= createJsonCodec(schema, rawExtensionToJson));
}

/**
 * Envelopes nested in RawExtension fields (a protobuf object inside an object): upstream objects
 * embed one or two levels; deeper is an attack on the decoder's stack.
 */
export const MAX_ENVELOPE_NESTING = 16;
let envelopeDepth = 0;

function rawExtensionToJson(bytes: Uint8Array): unknown {
  const b = Buffer.from(bytes);
  if (b.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    if (envelopeDepth >= MAX_ENVELOPE_NESTING) throw new CodecError('Malformed', `protobuf envelopes nested more than ${MAX_ENVELOPE_NESTING} deep`);
    return decodeProtobufObject(b);
  }
  const text = b.toString('utf8');
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError('Malformed', `embedded object is neither JSON nor protobuf: ${(err as Error).message}`, { cause: err });
  }
}

/** True when `body` starts with the Kubernetes protobuf magic. */
export function isProtobufEnvelope(body: Uint8Array): boolean {
  return body.length >= 4 && Buffer.from(body.buffer, body.byteOffset, 4).equals(PROTOBUF_MAGIC);
}

/**
 * Decodes a protobuf request body into the object's Kubernetes JSON form, with apiVersion and
 * kind taken from the envelope. Throws CodecError Malformed (bad bytes) or UnknownKind.
 */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  envelopeDepth++;
  try {
    return decodeEnvelope(body);
  } catch (err) {
    // protobufjs decodes nested messages (and skips unknown groups) recursively.
    if (isStackOverflow(err)) throw tooDeep();
    throw err;
  } finally {
    envelopeDepth--;
  }
}

function decodeEnvelope(body: Uint8Array): KubeObject {
  if (!isProtobufEnvelope(body)) {
    throw new CodecError('Malformed', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const schema = protoSchema();
  const unknown = decodeMessage(schema.root.lookupType(UNKNOWN), body.subarray(4), 'runtime.Unknown envelope') as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
    contentEncoding?: string;
  };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  if (!kind) throw new CodecError('Malformed', "Object 'Kind' is missing in protobuf envelope");
  if (unknown.contentEncoding) throw new CodecError('Malformed', `unsupported protobuf content encoding ${JSON.stringify(unknown.contentEncoding)}`);
  const type = schema.typeFor(apiVersion, kind);
  const msg = decodeMessage(type, unknown.raw ?? new Uint8Array(), `${kind} message`);
  const json = jsonCodec(schema).toJson(type, msg) as Record<string, unknown>;
  return { apiVersion, kind, ...json } as KubeObject;
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, what: string): object {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new CodecError('Malformed', `unable to decode protobuf ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Encodes an object (with apiVersion and kind) the way a Go client does: magic + Unknown
 * envelope + the kind's message. The apiserver answers in JSON; this is for tests, and for
 * clients we may write later.
 */
export function encodeProtobufObject(obj: { apiVersion?: string; kind?: string; [k: string]: unknown }): Buffer {
  const schema = protoSchema();
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  const type = schema.typeFor(apiVersion, kind);
  const plain = jsonCodec(schema).fromJson(type, obj);
  const raw = type.encode(type.fromObject(plain)).finish();
  const envelopeType = schema.root.lookupType(UNKNOWN);
  const envelope = envelopeType.encode(
    envelopeType.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }),
  ).finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}
