import type { KubeObject } from '../api/index.js';
import { jsonClone } from '../util/index.js';
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
  /**
   * Optional shortcut after a successful write: the object decode(encode(obj), revision) returns,
   * built without the bytes (no parse). Does not mutate obj; the result shares nothing mutable with it.
   */
  written?(obj: KubeObject, revision: number): KubeObject;
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
  written(obj, revision) {
    // The same steps as encode then decode: resourceVersion dropped, then appended last.
    const { resourceVersion: _ignored, ...metadata } = obj.metadata ?? {};
    const out: KubeObject = jsonClone({ ...obj, metadata });
    out.metadata.resourceVersion = String(revision);
    return out;
  },
};

/** The stored object after writing obj: the codec's shortcut when it has one, else a decode of value. */
export function decodeWritten(codec: Codec, obj: KubeObject, value: Uint8Array, revision: number, key: string): KubeObject {
  return codec.written ? codec.written(obj, revision) : codec.decode(value, revision, key);
}

/** Decodes a backend kv with its modRevision as resourceVersion. */
export function decodeKv(codec: Codec, kv: KeyValue, revision = kv.modRevision): KubeObject {
  return codec.decode(kv.value, revision, kv.key);
}
