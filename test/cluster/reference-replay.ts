// The oracle for the watch and durability checkers: an independent replay of the committed operation
// log (as etcd's robustness suite replays the WAL), producing the authoritative event history. It is
// deliberately separate from the nodes' state machines, so a state-machine bug shows up as a mismatch.

import type { Op } from '../../internal/storage/index.js';

const decoder = new TextDecoder();

/** A watch event flattened to comparable plain values. */
export interface CheckEvent {
  revision: number;
  key: string;
  type: 'put' | 'delete';
  /** New value for put; '' for delete. */
  value: string;
  createRevision: number;
  version: number;
  prev?: { value: string; modRevision: number; createRevision: number; version: number };
}

interface Live {
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

/** Replays committed batches in log order; returns one event per successful write, by revision. */
export function replayCommitted(batches: readonly (readonly Op[])[]): CheckEvent[] {
  const live = new Map<string, Live>();
  const out: CheckEvent[] = [];
  let rev = 0;
  for (const batch of batches) {
    for (const op of batch) {
      if (op.op !== 'create' && op.op !== 'update' && op.op !== 'delete') continue;
      const cur = live.get(op.key);
      const prev = cur && { value: cur.value, modRevision: cur.modRevision, createRevision: cur.createRevision, version: cur.version };
      if (op.op === 'create' && cur) continue;
      if (op.op === 'update' && (!cur || cur.modRevision !== op.expectedModRevision)) continue;
      if (op.op === 'delete' && (!cur || (op.expectedModRevision !== undefined && cur.modRevision !== op.expectedModRevision))) continue;
      rev++;
      if (op.op === 'delete') {
        live.delete(op.key);
        out.push({ revision: rev, key: op.key, type: 'delete', value: '', createRevision: 0, version: 0, prev });
        continue;
      }
      const next: Live = {
        value: decoder.decode(op.value),
        createRevision: cur ? cur.createRevision : rev,
        modRevision: rev,
        version: cur ? cur.version + 1 : 1,
      };
      live.set(op.key, next);
      const ev: CheckEvent = { revision: rev, key: op.key, type: 'put', value: next.value, createRevision: next.createRevision, version: next.version };
      if (prev) ev.prev = prev;
      out.push(ev);
    }
  }
  return out;
}
