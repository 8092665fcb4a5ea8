// A small in-memory, deterministic KV state machine with the same Op semantics as the embedded stores
// (internal/storage StateMachine): revisions are assigned at apply, one per successful write, and a
// failed compare-and-swap writes nothing. It keeps the full event history so the simulator's watch hub
// can serve a watch from any past revision. The SQLite state machine can replace it behind the same
// interface.

import type { AppliedEvent, ApplyOutput, KeyValue, Op, OpResult, StateMachine } from '../../internal/storage/index.js';

export interface SimStateMachine extends StateMachine {
  /** Current revision (0 before the first write). */
  revision(): number;
  /** The live kv of key, if present. */
  get(key: string): KeyValue | undefined;
  /** Events with revision > after, in order (the whole history is kept: the simulator never compacts). */
  eventsAfter(after: number): readonly AppliedEvent[];
  /** The whole state (history included) as bytes, for Raft snapshots; restore with createSimStateMachine(data). */
  snapshotData(): Uint8Array;
}

interface WireEvent {
  t: 'put' | 'delete';
  k: string;
  v: string;
  c: number;
  m: number;
  n: number;
  l: number;
  p?: { v: string; c: number; m: number; n: number; l: number };
}
const enc = new TextEncoder();
const dec = new TextDecoder();

const EMPTY = new Uint8Array(0);

/** A fresh state machine, or one restored from snapshotData() bytes. */
export function createSimStateMachine(snapshot?: Uint8Array): SimStateMachine {
  const live = new Map<string, KeyValue>();
  const history: AppliedEvent[] = [];
  let rev = 0;
  let applied = 0;
  if (snapshot && snapshot.length > 0) {
    const raw = JSON.parse(dec.decode(snapshot)) as { applied: number; events: WireEvent[] };
    applied = raw.applied;
    for (const w of raw.events) {
      const kv: KeyValue = { key: w.k, value: enc.encode(w.v), createRevision: w.c, modRevision: w.m, version: w.n, lease: w.l };
      const ev: AppliedEvent = { type: w.t, kv };
      if (w.p) ev.prevKv = { key: w.k, value: enc.encode(w.p.v), createRevision: w.p.c, modRevision: w.p.m, version: w.p.n, lease: w.p.l };
      history.push(ev);
      if (w.t === 'put') live.set(w.k, kv);
      else live.delete(w.k);
      rev = kv.modRevision;
    }
  }

  function write(key: string, value: Uint8Array, lease: number, prev: KeyValue | undefined, events: AppliedEvent[]): KeyValue {
    rev++;
    const kv: KeyValue = {
      key,
      value,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: prev ? prev.version + 1 : 1,
      lease,
    };
    live.set(key, kv);
    events.push(prev ? { type: 'put', kv, prevKv: prev } : { type: 'put', kv });
    return kv;
  }

  function applyOne(op: Op, events: AppliedEvent[]): OpResult {
    switch (op.op) {
      case 'create': {
        const cur = live.get(op.key);
        if (cur) return { op: 'create', result: { revision: rev, succeeded: false, kv: cur }, error: 'KeyExists' };
        const kv = write(op.key, op.value, op.lease, undefined, events);
        return { op: 'create', result: { revision: rev, succeeded: true, kv } };
      }
      case 'update': {
        const cur = live.get(op.key);
        if (!cur || cur.modRevision !== op.expectedModRevision) return { op: 'update', result: { revision: rev, succeeded: false, kv: cur } };
        const kv = write(op.key, op.value, op.lease, cur, events);
        return { op: 'update', result: { revision: rev, succeeded: true, kv } };
      }
      case 'delete': {
        const cur = live.get(op.key);
        if (!cur || (op.expectedModRevision !== undefined && cur.modRevision !== op.expectedModRevision)) {
          return { op: 'delete', result: { revision: rev, succeeded: false, kv: cur } };
        }
        rev++;
        live.delete(op.key);
        const tomb: KeyValue = { key: op.key, value: EMPTY, createRevision: 0, modRevision: rev, version: 0, lease: 0 };
        events.push({ type: 'delete', kv: tomb, prevKv: cur });
        return { op: 'delete', result: { revision: rev, succeeded: true, kv: cur } };
      }
      // The simulator keeps all history; compaction and leases do not change the KV view here.
      case 'compact':
      case 'leaseGrant':
      case 'leaseRevoke':
        return { op: op.op, revision: rev };
    }
  }

  return {
    apply(index: number, ops: Op[]): ApplyOutput | null {
      if (index <= applied) return null;
      const events: AppliedEvent[] = [];
      const results = ops.map((op) => applyOne(op, events));
      for (const e of events) history.push(e);
      applied = index;
      return { results, events, revision: rev };
    },
    appliedIndex: () => applied,
    revision: () => rev,
    get: (key) => live.get(key),
    eventsAfter(after: number): readonly AppliedEvent[] {
      // Revisions are dense and each write makes exactly one event, so event i has revision i + 1.
      return history.slice(Math.max(0, after));
    },
    snapshotData(): Uint8Array {
      const events: WireEvent[] = history.map((e) => {
        const w: WireEvent = { t: e.type, k: e.kv.key, v: dec.decode(e.kv.value), c: e.kv.createRevision, m: e.kv.modRevision, n: e.kv.version, l: e.kv.lease };
        const p = e.prevKv;
        if (p) w.p = { v: dec.decode(p.value), c: p.createRevision, m: p.modRevision, n: p.version, l: p.lease };
        return w;
      });
      return enc.encode(JSON.stringify({ applied, events }));
    },
  };
}
