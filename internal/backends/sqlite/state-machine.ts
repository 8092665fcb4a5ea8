import type Database from 'better-sqlite3';
import type { AppliedEvent, ApplyOutput, KeyValue, Op, OpResult, StateMachine, WriteResult } from '../../storage/index.js';
import { OP_CREATE, OP_DELETE, OP_UPDATE } from './schema.js';
import { keyBytes, prepareStatements, rowToKv, valueBytes, type Statements } from './statements.js';

/** The SQLite state machine, plus what its owners (backend, raft driver) need to read cheaply. */
export interface SqliteStateMachine extends StateMachine {
  /** Applies a batch; `term` (Raft) is stored with the index; unset keeps the stored term. */
  apply(index: number, ops: Op[], term?: number): ApplyOutput | null;
  appliedTerm(): number;
  revision(): number;
  compactRevision(): number;
}

/**
 * The write side of the sqlite and raftsqlite stores (datastore-anchors.md §d.2): one transaction
 * per batch; each write gets rev = current_rev + 1 and a kv_log row, and kv_current follows; the
 * batch's index (and term) and the new current_rev are stored in the same transaction, so replaying
 * a log after a crash applies each batch exactly once. Deterministic: the same batches in the same
 * order give the same file contents on every replica (no clocks, no AUTOINCREMENT).
 *
 * The compact op only moves compact_rev; deleting the superseded rows is local background work
 * (compaction.ts), never part of apply.
 */
export function createSqliteStateMachine(db: Database.Database): SqliteStateMachine {
  const st = prepareStatements(db);
  const meta = st.meta.get()!;
  let state = { rev: meta.current_rev, compact: meta.compact_rev, index: meta.applied_index, term: meta.applied_term };

  const run = db.transaction((index: number, ops: Op[], term: number) => {
    const b = new BatchApplier(st, state.rev, state.compact);
    const results = ops.map((op) => b.apply(op));
    st.setMeta.run(b.rev, b.compact, index, term);
    const out: ApplyOutput = { results, events: b.events, revision: b.rev };
    return { out, compact: b.compact };
  });

  return {
    apply(index, ops, term) {
      if (index <= state.index) return null;
      const t = term ?? state.term;
      const { out, compact } = run(index, ops, t);
      // Only after COMMIT: a failed transaction leaves the cached state as it was.
      state = { rev: out.revision, compact, index, term: t };
      return out;
    },
    appliedIndex: () => state.index,
    appliedTerm: () => state.term,
    revision: () => state.rev,
    compactRevision: () => state.compact,
  };
}

/** Applies the ops of one batch inside its transaction, tracking the revision and events. */
class BatchApplier {
  readonly events: AppliedEvent[] = [];
  constructor(
    private readonly st: Statements,
    public rev: number,
    public compact: number,
  ) {}

  apply(op: Op): OpResult {
    if ('guard' in op && op.guard) {
      const row = this.st.current.get(keyBytes(op.guard.key));
      const actual = row ? rowToKv(row).modRevision : 0;
      if (actual !== op.guard.modRevision) return { op: op.op as 'create', result: { revision: this.rev, succeeded: false }, error: 'GuardFailed', guardModRevision: actual };
    }
    switch (op.op) {
      case 'create':
        return this.create(op.key, op.value, op.lease);
      case 'update':
        return this.update(op.key, op.value, op.expectedModRevision, op.lease);
      case 'delete':
        return { op: 'delete', result: this.delete(op.key, op.expectedModRevision) };
      case 'compact':
        // A compact beyond the current revision is meaningless; the proposer rejects it, replay ignores it.
        if (op.revision <= this.rev) this.compact = Math.max(this.compact, op.revision);
        return { op: 'compact', revision: this.rev };
      case 'leaseGrant':
        this.st.grantLease.run(op.id, op.ttlSeconds, op.expiresAtMs);
        return { op: 'leaseGrant', revision: this.rev };
      case 'leaseRevoke':
        // Revoking deletes the attached keys, each as a normal delete with its own revision and event.
        for (const { key } of this.st.keysWithLease.all(op.id)) this.delete(key.toString('utf8'), undefined);
        this.st.revokeLease.run(op.id);
        return { op: 'leaseRevoke', revision: this.rev };
    }
  }

  private create(key: string, value: Uint8Array, lease: number): OpResult {
    const k = keyBytes(key);
    const cur = this.st.current.get(k);
    if (cur) return { op: 'create', result: { revision: this.rev, succeeded: false, kv: rowToKv(cur) }, error: 'KeyExists' };
    const rev = ++this.rev;
    const v = valueBytes(value);
    this.st.insertLog.run(rev, k, OP_CREATE, rev, 0, 1, lease, v);
    this.st.insertCurrent.run(k, rev, rev, 1, lease, v);
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev, version: 1, lease };
    this.events.push({ type: 'put', kv });
    return { op: 'create', result: { revision: rev, succeeded: true, kv } };
  }

  private update(key: string, value: Uint8Array, expected: number, lease: number): OpResult {
    const k = keyBytes(key);
    const row = this.st.current.get(k);
    const cur = row && rowToKv(row);
    if (!cur || cur.modRevision !== expected) {
      return { op: 'update', result: cur ? { revision: this.rev, succeeded: false, kv: cur } : { revision: this.rev, succeeded: false } };
    }
    const rev = ++this.rev;
    const v = valueBytes(value);
    const version = cur.version + 1;
    this.st.insertLog.run(rev, k, OP_UPDATE, cur.createRevision, cur.modRevision, version, lease, v);
    this.st.updateCurrent.run(rev, version, lease, v, k);
    const kv: KeyValue = { key, value, createRevision: cur.createRevision, modRevision: rev, version, lease };
    this.events.push({ type: 'put', kv, prevKv: cur });
    return { op: 'update', result: { revision: rev, succeeded: true, kv } };
  }

  private delete(key: string, expected: number | undefined): WriteResult {
    const k = keyBytes(key);
    const row = this.st.current.get(k);
    const cur = row && rowToKv(row);
    if (!cur || (expected !== undefined && cur.modRevision !== expected)) {
      return cur ? { revision: this.rev, succeeded: false, kv: cur } : { revision: this.rev, succeeded: false };
    }
    const rev = ++this.rev;
    this.st.insertLog.run(rev, k, OP_DELETE, cur.createRevision, cur.modRevision, 0, 0, null);
    this.st.deleteCurrent.run(k);
    const tombstone: KeyValue = { key, value: new Uint8Array(0), createRevision: 0, modRevision: rev, version: 0, lease: 0 };
    this.events.push({ type: 'delete', kv: tombstone, prevKv: cur });
    return { revision: rev, succeeded: true, kv: cur };
  }
}
