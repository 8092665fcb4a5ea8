// The sequential specification of one key, used by the linearizability checker.
//
// Revisions are global, but a partition sees only its own key, so the model tracks just what the key's
// history implies: the value and the revision of the key's last write. A write whose client timed out
// has an unknown revision; the model keeps a lower bound and the revisions already ruled out by failed
// compare-and-swaps, and pins the revision when a later read or CAS reveals it. The model is
// nondeterministic (an indeterminate CAS may have succeeded or failed), so step returns every possible
// successor state.

import type { KvInput, KvOutput } from './history.js';

export interface KeyState {
  /** Current value, null when the key is absent (never created or deleted). */
  value: string | null;
  /** Revision of the key's last write (its modRevision while present); null when unknown. */
  rev: number | null;
  /** When rev is unknown: the smallest revision it can be. When known: equals rev. */
  lo: number;
  /** When rev is unknown: revisions a failed CAS proved it is not (sorted). */
  excl: readonly number[];
}

export const initialKeyState: KeyState = { value: null, rev: 0, lo: 0, excl: [] };

export function keyStateId(s: KeyState): string {
  return JSON.stringify([s.value, s.rev, s.lo, s.excl]);
}

/** The state with rev pinned to e, when the key is present and its modRevision can be e; else null. */
function pinIfMatches(s: KeyState, e: number): KeyState | null {
  if (s.value === null) return null;
  if (s.rev !== null) return s.rev === e ? s : null;
  if (e < s.lo || s.excl.includes(e)) return null;
  return { value: s.value, rev: e, lo: e, excl: [] };
}

/** The state after a failed CAS on expected revision e, or null if the CAS must have succeeded. */
function afterMismatch(s: KeyState, e: number): KeyState | null {
  if (s.value === null) return s;
  if (s.rev !== null) return s.rev === e ? null : s;
  if (e < s.lo || s.excl.includes(e)) return s;
  return { ...s, excl: [...s.excl, e].sort((a, b) => a - b) };
}

/** A write that produced revision r (known) or an unknown revision (r undefined). */
function written(s: KeyState, value: string | null, r: number | undefined): KeyState | null {
  const floor = s.rev ?? s.lo;
  if (r === undefined) return { value, rev: null, lo: floor + 1, excl: [] };
  // Revisions of one key's writes strictly increase; an unknown one sits at >= lo, so r must exceed it.
  if (s.rev !== null ? r <= s.rev : r <= s.lo) return null;
  return { value, rev: r, lo: r, excl: [] };
}

function push(out: KeyState[], s: KeyState | null): void {
  if (s) out.push(s);
}

/**
 * Every state the key can be in after `input` is applied to `s` and produced `output`
 * (undefined output: indeterminate, any outcome). An empty array means the step is impossible.
 */
export function stepKey(s: KeyState, input: KvInput, output: KvOutput | undefined): KeyState[] {
  const out: KeyState[] = [];
  if (input.kind === 'get') {
    if (output === undefined) return [s];
    if (output.kind !== 'get') return [];
    if (!output.kv) return s.value === null ? [s] : [];
    if (s.value !== output.kv.value) return [];
    push(out, pinIfMatches(s, output.kv.modRevision));
    return out;
  }
  if (output !== undefined && output.kind !== 'write') return [];
  const ok = output === undefined ? undefined : output.succeeded;
  const rev = output?.succeeded ? output.revision : undefined;
  const newValue = input.kind === 'delete' ? null : input.value;
  if (input.kind === 'create') {
    if (ok !== false && s.value === null) push(out, written(s, newValue, rev));
    if (ok !== true && s.value !== null) out.push(s);
    return out;
  }
  const e = input.expectedModRevision;
  if (e === undefined) {
    // Unconditional delete: succeeds iff the key is present.
    if (ok !== false && s.value !== null) push(out, written(s, null, rev));
    if (ok !== true && s.value === null) out.push(s);
    return out;
  }
  if (ok !== false) {
    const pinned = pinIfMatches(s, e);
    if (pinned) push(out, written(pinned, newValue, rev));
  }
  if (ok !== true) push(out, afterMismatch(s, e));
  return out;
}
