import type { KubeObject } from '../api/index.js';
import type { KeyValue } from './backend.js';
import { StorageError } from './errors.js';

/**
 * Codec: how objects become backend values and back. The resourceVersion is never part of the stored
 * bytes: the backend's modRevision is the only source of truth, so encode strips it and decode sets it.
 */
export interface Codec {
  /** Bytes to store for obj, without metadata.resourceVersion. Does not mutate obj. */
  encode(obj: KubeObject): Uint8Array;
  /** The object stored in value, with metadata.resourceVersion = String(revision). A fresh object each call. */
  decode(value: Uint8Array, revision: number, key?: string): KubeObject;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const jsonCodec: Codec = {
  encode(obj) {
    // Shallow-copy metadata instead of deleting from the caller's object: callers keep their objects.
    const { resourceVersion: _ignored, ...metadata } = obj.metadata ?? {};
    return encoder.encode(JSON.stringify({ ...obj, metadata }));
  },
  decode(value, revision, key) {
    let obj: KubeObject;
    try {
      obj = JSON.parse(decoder.decode(value)) as KubeObject;
    } catch (err) {
      throw new StorageError('Corrupt', `cannot decode the value stored at ${key ?? '?'}: ${(err as Error).message}`, { key }, { cause: err });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new StorageError('Corrupt', `the value stored at ${key ?? '?'} is not a JSON object`, { key });
    }
    obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
    return obj;
  },
};

/** Decodes a backend kv with its modRevision as resourceVersion. */
export function decodeKv(codec: Codec, kv: KeyValue, revision = kv.modRevision): KubeObject {
  return codec.decode(kv.value, revision, kv.key);
}
