// Raft safety properties (Raft paper Figure 3), recorded while the simulation runs and checked at the end:
// - Election safety: at most one leader per term.
// - Log matching: two logs with an entry of the same index and term are identical up to that index.
// - Leader completeness: an entry committed in term T is in the log of every leader of a term > T.
// - State-machine safety: no two nodes apply different entries at the same index.

import type { Entry, MemoryLogStorage, Ready, Status } from '../../internal/raft/index.js';
import type { Op } from '../../internal/storage/index.js';
import { decodeCommand } from './command.js';

interface AppliedRecord {
  term: number;
  type: Entry['type'];
  data: string;
  firstNode: number;
}

interface LeaderLog {
  node: number;
  term: number;
  /** Compaction point of the leader's log at election: entries at or below it are in its snapshot. */
  offset: number;
  terms: number[];
}

const MAX_VIOLATIONS = 20;

export class RaftInvariants {
  readonly violations: string[] = [];
  private leaderOfTerm = new Map<number, number>();
  private leaderLogs: LeaderLog[] = [];
  /** Lowest term in which each index was known committed (by a leader of that term). */
  private commitTerm = new Map<number, number>();
  private applied = new Map<number, AppliedRecord>();
  maxApplied = 0;
  elections = 0;

  private fail(msg: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push(msg);
  }

  /** After a node wrote a Ready (its log now includes rd.entries). */
  onReady(node: number, rd: Ready, status: Status, log: MemoryLogStorage, now: number): void {
    const term = status.hardState.term;
    if (status.softState.role !== 'leader') return;
    const other = this.leaderOfTerm.get(term);
    if (other === undefined) {
      this.leaderOfTerm.set(term, node);
      this.elections++;
      const offset = log.firstIndex() - 1;
      const terms: number[] = [];
      for (let i = offset + 1; i <= log.lastIndex(); i++) terms.push(log.term(i));
      this.leaderLogs.push({ node, term, offset, terms });
    } else if (other !== node) {
      this.fail(`election safety: term ${term} has two leaders, ${other} and ${node} (t=${now})`);
    }
    if (rd.hardState) {
      for (let i = rd.hardState.commit; i > 0 && !this.commitTerm.has(i); i--) this.commitTerm.set(i, term);
    }
  }

  onApply(node: number, e: Entry): void {
    const data = Buffer.from(e.data).toString('base64');
    const prev = this.applied.get(e.index);
    if (!prev) {
      this.applied.set(e.index, { term: e.term, type: e.type, data, firstNode: node });
      this.maxApplied = Math.max(this.maxApplied, e.index);
      return;
    }
    if (prev.term !== e.term || prev.type !== e.type || prev.data !== data) {
      this.fail(`state-machine safety: index ${e.index} applied as term ${prev.term} on node ${prev.firstNode} but as term ${e.term} on node ${node}`);
    }
  }

  /** The committed log as op batches, by index (for the reference replay). Gaps mean "not applied anywhere". */
  committedOps(): Op[][] {
    const out: Op[][] = [];
    // Exactly-once: a client request id is committed at most once (a duplicate means the proposal
    // was delivered or proposed twice, and a non-idempotent write would apply twice).
    const seen = new Map<string, number>();
    for (let i = 1; i <= this.maxApplied; i++) {
      const r = this.applied.get(i);
      if (!r) {
        this.fail(`committed log has a hole at index ${i} (below max applied ${this.maxApplied})`);
        continue;
      }
      if (r.type !== 'normal' || r.data.length === 0) continue;
      const cmd = decodeCommand(Buffer.from(r.data, 'base64'));
      for (const it of cmd.items) {
        const first = seen.get(it.reqId);
        if (first !== undefined) this.fail(`exactly-once: request ${it.reqId} committed at index ${first} and again at ${i}`);
        else seen.set(it.reqId, i);
      }
      out.push(cmd.items.map((it) => it.op));
    }
    return out;
  }

  /** Log matching over the current logs of all nodes (pairwise). */
  checkLogMatching(logs: { node: number; log: MemoryLogStorage }[]): void {
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) {
        const x = logs[a]!;
        const y = logs[b]!;
        const lo = Math.max(x.log.firstIndex(), y.log.firstIndex());
        const hi = Math.min(x.log.lastIndex(), y.log.lastIndex());
        // The highest index where both logs hold the same term: everything from lo up to it must match.
        let top = 0;
        for (let i = hi; i >= lo; i--) {
          if (x.log.term(i) === y.log.term(i)) {
            top = i;
            break;
          }
        }
        if (top < lo) continue;
        const ex = x.log.entries(lo, top + 1);
        const ey = y.log.entries(lo, top + 1);
        for (let k = 0; k < ex.length; k++) {
          const p = ex[k]!;
          const q = ey[k]!;
          if (p.term !== q.term || p.type !== q.type || Buffer.compare(p.data, q.data) !== 0) {
            this.fail(`log matching: nodes ${x.node} and ${y.node} agree on (index ${top}, term ${x.log.term(top)}) but differ at index ${p.index} (terms ${p.term} vs ${q.term})`);
            break;
          }
        }
      }
    }
  }

  /** Leader completeness against every leader's log as it was when elected. */
  checkLeaderCompleteness(): void {
    for (const l of this.leaderLogs) {
      for (const [index, t] of this.commitTerm) {
        if (t >= l.term || index <= l.offset) continue;
        const rec = this.applied.get(index);
        if (!rec) continue;
        const have = l.terms[index - l.offset - 1];
        if (have !== rec.term) {
          this.fail(`leader completeness: node ${l.node} became leader of term ${l.term} without index ${index} (committed in term ${t} with entry term ${rec.term}; it had ${have ?? 'nothing'})`);
          break;
        }
      }
    }
  }
}
