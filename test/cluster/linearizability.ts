// Linearizability checker in the style of Porcupine (Wing & Gong search with Lowe's memoization):
// partition the history by key, then for each key search for an order of the operations that respects
// real time (a returned before b was called ⇒ a before b) and the sequential KV model (kv-model.ts).
// Indeterminate operations (client timed out) have no return: they may be placed anywhere after their
// call, including after everything else, which is the same as "never happened".
//
// Per-key partitioning cannot see cross-key staleness, so checkRevisionOrder adds the global
// constraint that revisions (write revisions and read header revisions) respect real time.

import { describeOp, isDeterminate, type HistoryOp } from './history.js';
import { initialKeyState, keyStateId, stepKey, type KeyState } from './kv-model.js';
import { checkByRevisions, type RevisionEvent } from './revision-check.js';

export interface LinearizabilityViolation {
  key: string;
  /** Operations of the key that could not be linearized past the furthest point the search reached. */
  message: string;
}

export interface LinearizabilityResult {
  ok: boolean;
  /** True when a partition exceeded the search budget: counts as a failure, never as a pass. */
  unknown: boolean;
  violations: LinearizabilityViolation[];
  /** Search steps spent, summed over partitions (for tuning). */
  steps: number;
  /** 'revisions' when every revision was known and the polynomial check decided; else 'search'. */
  method: 'revisions' | 'search';
}

interface Node {
  op: HistoryOp;
  idx: number;
  isCall: boolean;
  time: number;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

const DEFAULT_BUDGET = 2_000_000;

/**
 * Checks the whole history. With `events` (what watches showed, revision by revision) the revision
 * check decides whenever every revision is known; otherwise each key is searched on its own, plus
 * the global revision order.
 */
export function checkLinearizability(history: readonly HistoryOp[], opts: { budget?: number; events?: readonly RevisionEvent[] } = {}): LinearizabilityResult {
  if (opts.events) {
    const r = checkByRevisions(history, opts.events);
    if (r.verdict !== 'undecided') {
      return { ok: r.verdict === 'ok', unknown: false, violations: r.violations.map((message) => ({ key: '*', message })), steps: r.steps, method: 'revisions' };
    }
  }
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    // A read that never returned constrains nothing.
    if (op.input.kind === 'get' && !isDeterminate(op)) continue;
    const list = byKey.get(op.input.key) ?? [];
    list.push(op);
    byKey.set(op.input.key, list);
  }
  const violations: LinearizabilityViolation[] = [];
  let unknown = false;
  let steps = 0;
  for (const [key, ops] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const r = checkPartition(ops, opts.budget ?? DEFAULT_BUDGET);
    steps += r.steps;
    if (r.verdict === 'unknown') unknown = true;
    if (r.verdict !== 'ok') violations.push({ key, message: r.message });
  }
  for (const message of checkRevisionOrder(history)) violations.push({ key: '*', message });
  return { ok: violations.length === 0, unknown, violations, steps, method: 'search' };
}

function buildList(ops: readonly HistoryOp[]): Node {
  const nodes: Node[] = [];
  ops.forEach((op, idx) => {
    const call: Node = { op, idx, isCall: true, time: op.call, match: null, prev: null, next: null };
    const ret: Node = { op, idx, isCall: false, time: op.ret ?? Infinity, match: null, prev: null, next: null };
    call.match = ret;
    nodes.push(call, ret);
  });
  // Calls sort before returns at equal times (concurrent, the conservative reading); the simulator's
  // timeline is strictly increasing anyway. Pending returns (Infinity) sort by call.
  nodes.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op.call - b.op.call : a.isCall ? -1 : 1));
  const head: Node = { op: ops[0]!, idx: -1, isCall: false, time: -Infinity, match: null, prev: null, next: null };
  let prev = head;
  for (const n of nodes) {
    prev.next = n;
    n.prev = prev;
    prev = n;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

type States = KeyState[];

function stepAll(states: States, op: HistoryOp): States {
  const seen = new Map<string, KeyState>();
  for (const s of states) {
    for (const n of stepKey(s, op.input, op.output)) seen.set(keyStateId(n), n);
  }
  return [...seen.values()];
}

function statesId(states: States): string {
  return states.map(keyStateId).sort().join(';');
}

function checkPartition(ops: readonly HistoryOp[], budget: number): { verdict: 'ok' | 'fail' | 'unknown'; message: string; steps: number } {
  const head = buildList(ops);
  const linearized = new Uint32Array(Math.ceil(ops.length / 32));
  const cache = new Set<string>();
  const stack: { call: Node; states: States }[] = [];
  let states: States = [initialKeyState];
  let entry = head.next;
  let steps = 0;
  let best = 0;
  let bestStuck: Node | null = null;
  while (head.next) {
    if (++steps > budget) return { verdict: 'unknown', message: `search budget of ${budget} steps exceeded (${ops.length} ops)`, steps };
    const cur = entry!;
    if (cur.isCall) {
      const next = stepAll(states, cur.op);
      if (next.length > 0) {
        linearized[cur.idx >> 5]! ^= 1 << (cur.idx & 31);
        const key = `${linearized.join(',')}|${statesId(next)}`;
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ call: cur, states });
          states = next;
          lift(cur);
          entry = head.next;
          continue;
        }
        linearized[cur.idx >> 5]! ^= 1 << (cur.idx & 31);
      }
      entry = cur.next;
      continue;
    }
    // A return whose call is still in the list: nothing before it can be linearized next. Backtrack.
    if (stack.length >= best) {
      best = stack.length;
      bestStuck = cur;
    }
    const top = stack.pop();
    if (!top) return { verdict: 'fail', message: describeFailure(ops, bestStuck, best), steps };
    linearized[top.call.idx >> 5]! ^= 1 << (top.call.idx & 31);
    states = top.states;
    unlift(top.call);
    entry = top.call.next;
  }
  return { verdict: 'ok', message: '', steps };
}

function describeFailure(ops: readonly HistoryOp[], stuck: Node | null, depth: number): string {
  const lines = [`no linearization; deepest search linearized ${depth} of ${ops.length} ops`];
  if (stuck) lines.push(`stuck at: ${describeOp(stuck.op)}`);
  const shown = ops.slice(0, 60);
  for (const op of shown) lines.push(`  ${describeOp(op)}`);
  if (ops.length > shown.length) lines.push(`  … ${ops.length - shown.length} more`);
  return lines.join('\n');
}

/**
 * Global real-time constraints on revisions, across keys (a linearizable store has one revision
 * counter advanced at each write's linearization point):
 * - successful writes have distinct revisions;
 * - if a returned before b was called: a write's revision < b's write revision, and <= b's read revision;
 *   a read's (or failed write's) header revision < b's write revision and <= b's header revision.
 */
export function checkRevisionOrder(history: readonly HistoryOp[]): string[] {
  const errors: string[] = [];
  const byRev = new Map<number, HistoryOp>();
  type Ev = { t: number; call: boolean; op: HistoryOp & { ret: number; output: NonNullable<HistoryOp['output']> } };
  const evs: Ev[] = [];
  for (const op of history) {
    if (!isDeterminate(op)) continue;
    evs.push({ t: op.call, call: true, op }, { t: op.ret, call: false, op });
    if (op.output.kind === 'write' && op.output.succeeded) {
      const other = byRev.get(op.output.revision);
      if (other) errors.push(`revision ${op.output.revision} reported by two writes:\n  ${describeOp(other)}\n  ${describeOp(op)}`);
      else byRev.set(op.output.revision, op);
    }
  }
  evs.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? -1 : 1));
  // Max revision over operations that have already returned, and the op that set it.
  let maxDone = 0;
  let maxOp: HistoryOp | null = null;
  for (const ev of evs) {
    const o = ev.op.output;
    const isWrite = o.kind === 'write' && o.succeeded;
    if (!ev.call) {
      if (o.revision > maxDone) {
        maxDone = o.revision;
        maxOp = ev.op;
      }
      continue;
    }
    const bad = isWrite ? o.revision <= maxDone : o.revision < maxDone;
    if (bad && maxOp) {
      errors.push(
        `revision went back in real time: ${describeOp(ev.op)}\n  started after ${describeOp(maxOp)} returned`,
      );
    }
  }
  return errors;
}
