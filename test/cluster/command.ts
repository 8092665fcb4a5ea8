// The payload of a normal Raft entry in the simulator: a group-committed batch of client writes, each
// tagged with its request id and the node that received it (which answers the client once it applies
// the entry). Values are ASCII strings in the simulator, so the encoding is plain JSON.

import type { Op } from '../../internal/storage/index.js';

export interface CommandItem {
  reqId: string;
  op: Op;
}

export interface Command {
  origin: number;
  items: CommandItem[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

type WireOp = Omit<Op, 'value'> & { value?: string };

export function encodeCommand(c: Command): Uint8Array {
  const items = c.items.map((it) => {
    const op = { ...it.op } as Record<string, unknown>;
    if ('value' in it.op) op.value = dec.decode(it.op.value);
    return [it.reqId, op];
  });
  return enc.encode(JSON.stringify({ o: c.origin, i: items }));
}

export function decodeCommand(data: Uint8Array): Command {
  const raw = JSON.parse(dec.decode(data)) as { o: number; i: [string, WireOp][] };
  return {
    origin: raw.o,
    items: raw.i.map(([reqId, w]) => {
      const op = { ...w } as Record<string, unknown>;
      if (typeof w.value === 'string') op.value = enc.encode(w.value);
      return { reqId, op: op as unknown as Op };
    }),
  };
}
