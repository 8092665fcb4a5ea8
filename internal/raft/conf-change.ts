import type { ConfChange } from './types.js';

// ConfChange entries are stored as bytes so LogStorage only ever handles Uint8Array payloads.
// Format: UTF-8 JSON {"type","nodeId","context"(base64)}. Stable: it is written into durable logs.

/** Encodes a ConfChange as the data of a 'confChange' entry. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const obj: Record<string, unknown> = { type: cc.type, nodeId: cc.nodeId };
  if (cc.context && cc.context.length > 0) obj.context = Buffer.from(cc.context).toString('base64');
  return new TextEncoder().encode(JSON.stringify(obj));
}

/** Decodes the data of a 'confChange' entry. Throws on bytes not produced by encodeConfChange. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const obj = JSON.parse(new TextDecoder().decode(data)) as { type: ConfChange['type']; nodeId: number; context?: string };
  const cc: ConfChange = { type: obj.type, nodeId: obj.nodeId };
  if (obj.context !== undefined) cc.context = new Uint8Array(Buffer.from(obj.context, 'base64'));
  return cc;
}
