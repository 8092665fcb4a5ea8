// End-of-run checks: Raft safety (from the recorder), linearizability of the client history,
// durability of acknowledged writes, watch properties, and convergence after the heal phase.

import type { HistoryOp } from './history.js';
import { describeOp } from './history.js';
import { checkLinearizability } from './linearizability.js';
import type { RaftInvariants } from './raft-invariants.js';
import { replayCommitted, type CheckEvent } from './reference-replay.js';
import type { SimNode } from './sim-node.js';
import { checkWatches, type WatchStreamRecord } from './watch-checker.js';

const dec = new TextDecoder();

export interface RunRecord {
  history: HistoryOp[];
  streams: WatchStreamRecord[];
  invariants: RaftInvariants;
  /** Nodes that were not decommissioned. */
  members: SimNode[];
  leader: SimNode | undefined;
}

export interface Verdict {
  failures: string[];
  /** Revisions in the authoritative history. */
  revisions: number;
  /** How the linearizability checker decided, its steps and its wall time. */
  checker: { method: 'revisions' | 'search'; steps: number; ms: number };
}

/** Acknowledged writes must be in the committed history, at the revision the client was told. */
function checkDurability(history: readonly HistoryOp[], h: readonly CheckEvent[]): string[] {
  const out: string[] = [];
  for (const op of history) {
    if (op.void || op.output?.kind !== 'write' || !op.output.succeeded) continue;
    const ev = h[op.output.revision - 1];
    const i = op.input;
    const matches =
      ev !== undefined && ev.revision === op.output.revision && ev.key === i.key && (i.kind === 'delete' ? ev.type === 'delete' : ev.type === 'put' && i.kind !== 'get' && ev.value === i.value);
    if (!matches) out.push(`acknowledged write lost: ${describeOp(op)}; committed history has ${ev ? `${ev.type} ${ev.key}=${ev.value}@${ev.revision}` : 'nothing'} there`);
    if (out.length >= 5) break;
  }
  return out;
}

/** After healing: a leader exists, every member applied everything committed, and their states equal the replay. */
function checkConvergence(rec: RunRecord, h: readonly CheckEvent[]): string[] {
  if (!rec.leader) return ['no leader after the heal phase'];
  const cs = rec.leader.confState;
  const ids = new Set([...cs.voters, ...cs.learners]);
  const expected = new Map<string, { value: string; modRevision: number }>();
  for (const e of h) {
    if (e.type === 'delete') expected.delete(e.key);
    else expected.set(e.key, { value: e.value, modRevision: e.revision });
  }
  const out: string[] = [];
  for (const n of rec.members) {
    if (!ids.has(n.id)) continue;
    if (!n.up) out.push(`member ${n.id} is down after the heal phase`);
    else if (n.sm.appliedIndex() < rec.invariants.maxApplied) out.push(`member ${n.id} applied ${n.sm.appliedIndex()} < ${rec.invariants.maxApplied} after the heal phase`);
    else if (n.sm.revision() !== h.length) out.push(`member ${n.id} is at revision ${n.sm.revision()} but the replay at ${h.length}`);
    else {
      for (const [key, want] of expected) {
        const kv = n.sm.get(key);
        if (!kv || dec.decode(kv.value) !== want.value || kv.modRevision !== want.modRevision) {
          out.push(`member ${n.id} has ${key}=${kv ? `${dec.decode(kv.value)}@${kv.modRevision}` : 'absent'}, replay says ${want.value}@${want.modRevision}`);
          break;
        }
      }
    }
  }
  return out;
}

export function checkRun(rec: RunRecord): Verdict {
  const failures: string[] = [];
  rec.invariants.checkLeaderCompleteness();
  const h = replayCommitted(rec.invariants.committedOps());
  for (const v of rec.invariants.violations) failures.push(`[safety] ${v}`);
  const events = rec.streams.flatMap((s) => s.batches.flatMap((b) => b.events));
  const t0 = performance.now();
  const lin = checkLinearizability(rec.history.filter((o) => !o.void), { events });
  const checker = { method: lin.method, steps: lin.steps, ms: performance.now() - t0 };
  for (const v of lin.violations.slice(0, 3)) failures.push(`[linearizability] key ${v.key}: ${v.message}`);
  for (const v of checkDurability(rec.history, h)) failures.push(`[durability] ${v}`);
  for (const v of checkWatches(rec.streams, h).slice(0, 5)) failures.push(`[watch] ${v.message}`);
  for (const v of checkConvergence(rec, h)) failures.push(`[liveness] ${v}`);
  return { failures, revisions: h.length, checker };
}
