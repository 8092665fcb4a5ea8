// Histories for the checkers' tests: builders for hand-written ones, and random linearizable ones.

import type { Rand } from '../../internal/util/index.js';
import type { HistoryOp, KvInput, KvOutput } from './history.js';
import type { RevisionEvent } from './revision-check.js';

/** Builders for hand-written histories in the checkers' tests (ids are unique per process). */
let nextId = 0;
export function op(client: number, input: KvInput, call: number, ret: number | undefined, output?: KvOutput): HistoryOp {
  return { id: nextId++, client, input, call, ret, output };
}
export const ok = (revision: number): KvOutput => ({ kind: 'write', succeeded: true, revision });
export const fail = (revision: number): KvOutput => ({ kind: 'write', succeeded: false, revision });
export const got = (revision: number, value?: string, modRevision?: number): KvOutput =>
  value === undefined ? { kind: 'get', revision } : { kind: 'get', revision, kv: { value, modRevision: modRevision! } };
export const create = (value: string, key = 'a'): KvInput => ({ kind: 'create', key, value });
export const update = (value: string, expectedModRevision: number, key = 'a'): KvInput => ({ kind: 'update', key, value, expectedModRevision });
export const del = (expectedModRevision?: number, key = 'a'): KvInput => ({ kind: 'delete', key, expectedModRevision });
export const get = (key = 'a'): KvInput => ({ kind: 'get', key });

/**
 * A linearizable history generated from an atomic store: each op takes effect at a random point
 * inside its [call, ret] interval. Some ops "time out" (ret dropped) after taking effect or not.
 * `events` is what a watch on every key would have shown: one event per revision.
 */
export function generateHistory(rand: Rand, clients: number, opsPerClient: number, keys: string[]): { history: HistoryOp[]; events: RevisionEvent[] } {
  type Planned = { op: HistoryOp; at: number; effect: boolean };
  const planned: Planned[] = [];
  let id = 0;
  for (let c = 0; c < clients; c++) {
    let t = rand() * 5;
    for (let i = 0; i < opsPerClient; i++) {
      const key = keys[Math.floor(rand() * keys.length)]!;
      const r = rand();
      const input: KvInput =
        r < 0.2
          ? { kind: 'create', key, value: `c${c}-${i}` }
          : r < 0.55
            ? { kind: 'update', key, value: `c${c}-${i}`, expectedModRevision: Math.floor(rand() * 4) }
            : r < 0.65
              ? { kind: 'delete', key, expectedModRevision: Math.floor(rand() * 4) }
              : { kind: 'get', key };
      const call = t;
      const at = call + rand() * 10;
      const ret = at + rand() * 10;
      const timedOut = rand() < 0.05;
      planned.push({ op: { id: id++, client: c, input, call, ret: timedOut ? undefined : ret }, at, effect: !timedOut || rand() < 0.5 });
      t = ret + rand() * 3;
    }
  }
  planned.sort((a, b) => a.at - b.at);
  const store = new Map<string, { value: string; mod: number }>();
  let rev = 0;
  const events: RevisionEvent[] = [];
  // Expected revisions used by CAS: make them plausible by pointing at a real current revision often.
  for (const p of planned) {
    const i = p.op.input;
    if (!p.effect) continue;
    const cur = store.get(i.key);
    if ((i.kind === 'update' || i.kind === 'delete') && cur && rand() < 0.6) i.expectedModRevision = cur.mod;
    let out: KvOutput;
    if (i.kind === 'get') out = { kind: 'get', revision: rev, kv: cur ? { value: cur.value, modRevision: cur.mod } : undefined };
    else if (i.kind === 'create') {
      if (cur) out = { kind: 'write', succeeded: false, revision: rev };
      else {
        store.set(i.key, { value: i.value, mod: ++rev });
        events.push({ revision: rev, key: i.key, type: 'put', value: i.value });
        out = { kind: 'write', succeeded: true, revision: rev };
      }
    } else if (!cur || (i.expectedModRevision !== undefined && cur.mod !== i.expectedModRevision)) {
      out = { kind: 'write', succeeded: false, revision: rev };
    } else if (i.kind === 'update') {
      store.set(i.key, { value: i.value, mod: ++rev });
      events.push({ revision: rev, key: i.key, type: 'put', value: i.value });
      out = { kind: 'write', succeeded: true, revision: rev };
    } else {
      store.delete(i.key);
      out = { kind: 'write', succeeded: true, revision: ++rev };
      events.push({ revision: rev, key: i.key, type: 'delete', value: '' });
    }
    if (p.op.ret !== undefined) p.op.output = out;
  }
  // Ops with no effect that did "return" cannot exist; they were all timeouts by construction.
  return { history: planned.map((p) => p.op).filter((o) => o.ret === undefined || o.output !== undefined), events };
}

