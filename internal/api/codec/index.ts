// internal/api/codec: request body decoding (JSON, YAML, Kubernetes protobuf), Go duration and
// time text, and lenient query-parameter booleans. Loads the vendored .proto files lazily.
export * from './codec-error.js';
export { MAX_NESTING_DEPTH, checkJsonDepth, isStackOverflow } from './depth.js';
export * from './go-duration.js';
export { formatTime, formatMicroTime, parseTime } from './go-time.js';
export * from './query-params.js';
export {
  PROTOBUF_CONTENT_TYPE,
  PROTOBUF_MAGIC,
  decodeProtobufObject,
  encodeProtobufObject,
  isProtobufEnvelope,
} from './protobuf-envelope.js';
export { protoSchema, type ProtoSchema } from './protobuf-schema.js';
export * from './request-body.js';
