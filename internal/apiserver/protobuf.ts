import { apiErrors } from '../api/index.js';

/**
 * Kubernetes protobuf request bodies (`k8s\0` + runtime.Unknown). The decoding itself lives in
 * internal/api's codec; this is the apiserver's single entry to it.
 */
export function decodeProtobufObject(_buf: Buffer): unknown {
  // Replaced by the internal/api codec once it lands; until then protobuf bodies are refused the
  // way a server without protobuf support refuses them.
  throw apiErrors.unsupportedMediaType('application/vnd.kubernetes.protobuf');
}
