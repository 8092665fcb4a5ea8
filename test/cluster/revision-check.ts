// Linearizability decided by revisions, in polynomial time (the way etcd's robustness tests keep
// their checks fast). The store advances one global revision counter by exactly one per successful
// write, so the write order is the revision order, and a read (or a failed compare-and-swap) served
// at header revision R saw exactly the state after write R. Once every revision 1..N is known (by a
// determinate write, a read that shows a value, or a watch event), the linearization is fixed:
//
//   1. name the writer of each revision: a put's value is unique, so it names its operation; a delete
//      at a revision no determinate write claims is matched to an indeterminate delete on that key
//      (bipartite matching, so no greedy choice can refuse a history that has a valid assignment);
//   2. real time: an operation that returned before another was called sits at a lower position
//      (write r at 2r, read or failed write at header R at 2R+1);
//   3. the sequential specification: each read, failed CAS and successful write is checked against
//      the key's state replayed from the known revisions.
//
// Indeterminate writes that no revision names did not take effect within 1..N. The verdict is
// 'undecided' only when some revision in 1..N is unknown; the caller then falls back to the search.
// Watch events are client-observed evidence; the watch checker separately proves them equal to the
// committed log, so trusting them here adds no assumption about the store.

import { describeOp, isDeterminate, type HistoryOp } from './history.js';

/** What a revision did, as a watch event shows it. */
export interface RevisionEvent {
  revision: number;
  key: string;
  type: 'put' | 'delete';
  /** The new value of a put; '' for a delete. */
  value: string;
}

export interface RevisionVerdict {
  verdict: 'ok' | 'fail' | 'undecided';
  violations: string[];
  /** Revisions no operation or event revealed (only when undecided). */
  unknownRevisions: number;
  /** Work done, comparable with the search's steps: operations plus matching steps. */
  steps: number;
}

type Known = RevisionEvent & { source: string };

const MAX_VIOLATIONS = 5;

export function checkByRevisions(history: readonly HistoryOp[], events: readonly RevisionEvent[]): RevisionVerdict {
  const violations: string[] = [];
  const fail = (m: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push(m);
  };
  const known = new Map<number, Known>();
  const learn = (e: RevisionEvent, source: string) => {
    const had = known.get(e.revision);
    if (!had) known.set(e.revision, { ...e, source });
    else if (had.key !== e.key || had.type !== e.type || had.value !== e.value) {
      fail(`revision ${e.revision} is ${had.type} ${had.key}=${had.value} by ${had.source} but ${e.type} ${e.key}=${e.value} by ${source}`);
    }
  };
  let maxRev = 0;
  for (const e of events) {
    learn(e, 'a watch event');
    maxRev = Math.max(maxRev, e.revision);
  }
  for (const op of history) {
    if (!isDeterminate(op)) continue;
    const o = op.output;
    maxRev = Math.max(maxRev, o.revision);
    const i = op.input;
    if (o.kind === 'write' && o.succeeded && i.kind !== 'get') {
      learn({ revision: o.revision, key: i.key, type: i.kind === 'delete' ? 'delete' : 'put', value: i.kind === 'delete' ? '' : i.value }, describeOp(op));
    } else if (o.kind === 'get' && o.kv) {
      learn({ revision: o.kv.modRevision, key: i.key, type: 'put', value: o.kv.value }, describeOp(op));
      maxRev = Math.max(maxRev, o.kv.modRevision);
    }
  }
  let unknownRevisions = 0;
  for (let r = 1; r <= maxRev; r++) if (!known.has(r)) unknownRevisions++;
  if (violations.length > 0) return { verdict: 'fail', violations, unknownRevisions, steps: history.length };
  if (unknownRevisions > 0) return { verdict: 'undecided', violations, unknownRevisions, steps: history.length };

  const timeline = new KeyTimeline(known, maxRev);
  const writers = nameWriters(history, known, timeline, fail);
  if (violations.length === 0) checkRealTime(history, writers.placed, fail);
  if (violations.length === 0) checkSpecification(history, timeline, writers.placed, fail);
  return { verdict: violations.length === 0 ? 'ok' : 'fail', violations, unknownRevisions: 0, steps: history.length + writers.steps };
}

/** Each key's writes in revision order, to read the key's state at any revision. */
class KeyTimeline {
  private readonly byKey = new Map<string, Known[]>();
  constructor(
    private readonly known: Map<number, Known>,
    maxRev: number,
  ) {
    for (let r = 1; r <= maxRev; r++) {
      const e = known.get(r)!;
      const list = this.byKey.get(e.key) ?? [];
      list.push(e);
      this.byKey.set(e.key, list);
    }
  }

  keyOf(rev: number): string {
    return this.known.get(rev)!.key;
  }

  /** The key's value and modRevision after revision `at` (null value: absent). */
  stateAt(key: string, at: number): { value: string | null; modRevision: number } {
    const list = this.byKey.get(key) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.revision <= at) lo = mid + 1;
      else hi = mid;
    }
    const last = list[lo - 1];
    if (!last || last.type === 'delete') return { value: null, modRevision: last?.revision ?? 0 };
    return { value: last.value, modRevision: last.revision };
  }
}

interface Writers {
  /** Operation id → the revision at which it took effect (determinate successes and named indeterminate writes). */
  placed: Map<number, number>;
  steps: number;
}

/**
 * A client retries a timed-out write with the same input, so one value may belong to several
 * attempts: an unclaimed put goes to the earliest unplaced unanswered attempt with its key and value
 * (the earliest call is the least constrained in real time; the input, and so the condition, is the
 * same for every attempt). A create may legitimately take effect twice (a delete between attempts).
 */
function nameWriters(history: readonly HistoryOp[], known: Map<number, Known>, timeline: KeyTimeline, fail: (m: string) => void): Writers {
  const placed = new Map<number, number>();
  const claimed = new Set<number>();
  const attempts = new Map<string, HistoryOp[]>();
  for (const op of history) {
    const i = op.input;
    if (op.output?.kind === 'write' && op.output.succeeded) {
      placed.set(op.id, op.output.revision);
      claimed.add(op.output.revision);
    } else if (!isDeterminate(op) && (i.kind === 'create' || i.kind === 'update')) {
      const k = `${i.key}\0${i.value}`;
      attempts.set(k, [...(attempts.get(k) ?? []), op]);
    }
  }
  for (const list of attempts.values()) list.sort((a, b) => a.call - b.call);
  const openDeletes: number[] = [];
  for (const rev of [...known.keys()].sort((a, b) => a - b)) {
    const e = known.get(rev)!;
    if (claimed.has(rev)) continue;
    if (e.type === 'delete') {
      openDeletes.push(rev);
      continue;
    }
    const op = attempts.get(`${e.key}\0${e.value}`)?.shift();
    if (op) placed.set(op.id, rev);
    else fail(`revision ${rev} put ${e.key}=${e.value}, and no unanswered write of that value is left to have made it`);
  }
  const steps = matchDeletes(history, openDeletes, timeline, placed, fail);
  return { placed, steps };
}

/**
 * Matches each unclaimed delete revision to a distinct indeterminate delete of its key that could
 * have made it: called before any operation that returned at or past it, and with its condition
 * true in the state before it. Augmenting paths (Kuhn's algorithm) find a full matching if one exists.
 */
function matchDeletes(history: readonly HistoryOp[], revs: number[], timeline: KeyTimeline, placed: Map<number, number>, fail: (m: string) => void): number {
  if (revs.length === 0) return 0;
  const floor = returnedFloor(history, placed);
  const candidates = history.filter((op) => op.input.kind === 'delete' && !isDeterminate(op));
  const edges = new Map<number, HistoryOp[]>();
  for (const rev of revs) {
    const key = timeline.keyOf(rev);
    const before = timeline.stateAt(key, rev - 1);
    edges.set(
      rev,
      candidates.filter((op) => {
        const i = op.input;
        if (i.kind !== 'delete' || i.key !== key || before.value === null || floor(op.call) >= 2 * rev) return false;
        return i.expectedModRevision === undefined || i.expectedModRevision === before.modRevision;
      }),
    );
  }
  const owner = new Map<number, number>(); // op id → revision
  let steps = 0;
  const tryAssign = (rev: number, seen: Set<number>): boolean => {
    for (const op of edges.get(rev)!) {
      steps++;
      if (seen.has(op.id)) continue;
      seen.add(op.id);
      const other = owner.get(op.id);
      if (other === undefined || tryAssign(other, seen)) {
        owner.set(op.id, rev);
        return true;
      }
    }
    return false;
  };
  for (const rev of revs) {
    if (!tryAssign(rev, new Set())) fail(`revision ${rev} deleted ${timeline.keyOf(rev)}, and no unanswered delete could have done it`);
  }
  for (const [id, rev] of owner) placed.set(id, rev);
  return steps;
}

/** Where an operation sits in the revision order: write r at 2r, a read or failed write at header R at 2R+1. */
function position(op: HistoryOp, placed: Map<number, number>): number | undefined {
  const rev = placed.get(op.id);
  if (rev !== undefined) return 2 * rev;
  return op.output ? 2 * op.output.revision + 1 : undefined;
}

/** floor(t) = the highest position among determinate operations that returned before time t (-1: none). */
function returnedFloor(history: readonly HistoryOp[], placed: Map<number, number>): (t: number) => number {
  const done = history.filter(isDeterminate).map((op) => ({ ret: op.ret, pos: position(op, placed)! })).sort((a, b) => a.ret - b.ret);
  const prefixMax: number[] = [];
  let max = -1;
  for (const d of done) prefixMax.push((max = Math.max(max, d.pos)));
  return (t) => {
    let lo = 0;
    let hi = done.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (done[mid]!.ret < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -1 : prefixMax[lo - 1]!;
  };
}

/** a returned before b was called ⇒ a sits before b (reads at one header may share a position). */
function checkRealTime(history: readonly HistoryOp[], placed: Map<number, number>, fail: (m: string) => void): void {
  const floor = returnedFloor(history, placed);
  const done = history.filter(isDeterminate);
  for (const op of history) {
    const pos = position(op, placed);
    if (pos === undefined) continue;
    const f = floor(op.call);
    if (pos > f || (pos === f && pos % 2 === 1)) continue;
    const before = done.find((d) => d.ret < op.call && position(d, placed) === f)!;
    fail(`revision order goes back in real time: ${describeOp(op)}${pos % 2 === 0 ? ` (took effect at revision ${pos / 2})` : ''}\n  started after ${describeOp(before)} returned`);
  }
}

/** Every read and failed write against the state at its header revision; every write against the state before it. */
function checkSpecification(history: readonly HistoryOp[], timeline: KeyTimeline, placed: Map<number, number>, fail: (m: string) => void): void {
  for (const op of history) {
    const i = op.input;
    const rev = placed.get(op.id);
    if (rev !== undefined) {
      if (i.kind === 'get') continue;
      const s = timeline.stateAt(i.key, rev - 1);
      const ok = i.kind === 'create' ? s.value === null : s.value !== null && (i.kind === 'delete' && i.expectedModRevision === undefined ? true : i.expectedModRevision === s.modRevision);
      if (!ok) fail(`${describeOp(op)} took effect at revision ${rev}, but before it ${i.key} was ${show(s)}`);
      continue;
    }
    if (!isDeterminate(op)) continue;
    const s = timeline.stateAt(i.key, op.output.revision);
    if (op.output.kind === 'get') {
      const kv = op.output.kv;
      const ok = kv ? s.value === kv.value && s.modRevision === kv.modRevision : s.value === null;
      if (!ok) fail(`${describeOp(op)}, but at revision ${op.output.revision} ${i.key} was ${show(s)}`);
      continue;
    }
    const mustFail = i.kind === 'create' ? s.value !== null : s.value === null || (i.kind !== 'get' && i.expectedModRevision !== undefined && i.expectedModRevision !== s.modRevision);
    if (!mustFail) fail(`${describeOp(op)} failed, but at revision ${op.output.revision} ${i.key} was ${show(s)}`);
  }
}

function show(s: { value: string | null; modRevision: number }): string {
  return s.value === null ? 'absent' : `${s.value}@${s.modRevision}`;
}
