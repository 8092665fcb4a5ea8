import { realClock, type Clock } from '../../util/index.js';
import { WatchHub, type Backend, type BackendStatus, type Op, type OpResult } from '../../storage/index.js';
import { CompactionPolicy, type CompactionPolicyOptions } from '../shared/compaction-policy.js';
import { Compactor } from './compactor.js';
import { GroupCommit } from './group-commit.js';
import { LeaseExpiry } from './lease-expiry.js';
import { OpBackend } from './op-backend.js';
import { SqliteReader } from './reader.js';
import { openDatabase } from './schema.js';
import { createSqliteStateMachine } from './state-machine.js';

export interface SqliteBackendOptions {
  /** Database file (created when missing). */
  path: string;
  clock?: Clock;
  /** Periodic compaction; false turns it off (then only explicit compact() calls compact). */
  compaction?: (CompactionPolicyOptions & { chunkRevisions?: number }) | false;
  /** How often expired leases are looked for. Default 1000 ms. */
  leaseCheckIntervalMs?: number;
  /** Most ops per group-commit batch. Default 1000. */
  maxBatchOps?: number;
  maxValueBytes?: number;
  watch?: { ringMaxEvents?: number; ringMaxBytes?: number; watcherMaxEvents?: number; watcherMaxBytes?: number };
}

export type SqliteBackend = Backend & { status: BackendStatus };

/**
 * The single-node embedded store: one SQLite file, writes applied by the state machine in group
 * commits, reads and watches served locally. Background work: compaction policy + chunked cleanup,
 * lease expiry.
 */
export function createSqliteBackend(opts: SqliteBackendOptions): SqliteBackend {
  const clock = opts.clock ?? realClock;
  const db = openDatabase(opts.path);
  const sm = createSqliteStateMachine(db);
  const window = () => ({ revision: sm.revision(), compactRevision: sm.compactRevision() });
  const reader = new SqliteReader(db, window);
  const hub = new WatchHub({
    ...window(),
    readHistory: (prefix, after, until, limit) => reader.history(prefix, after, until, limit),
    clock,
    ...opts.watch,
  });
  const compactOpts = opts.compaction === false ? undefined : (opts.compaction ?? {});
  const compactor = new Compactor(db, () => sm.compactRevision(), { chunkRevisions: compactOpts?.chunkRevisions });

  // Single node: the batch index is just a counter; there is no log in front to replay.
  const applyBatch = (ops: Op[]): OpResult[] => {
    const out = sm.apply(sm.appliedIndex() + 1, ops)!;
    hub.publish(out.events, out.revision);
    if (ops.some((op) => op.op === 'compact')) {
      hub.setCompactRevision(sm.compactRevision());
      compactor.kick();
    }
    return out.results;
  };
  const commits = new GroupCommit(applyBatch, { maxBatchOps: opts.maxBatchOps });

  let policy: CompactionPolicy | undefined;
  const leases = new LeaseExpiry(
    clock,
    (now) => reader.dueLeases(now),
    async (id) => void (await commits.submit({ op: 'leaseRevoke', id })),
    opts.leaseCheckIntervalMs,
  );
  let open = true;
  const backend = new OpBackend({
    reader,
    hub,
    propose: (op) => commits.submit(op),
    window,
    clock,
    firstLeaseId: Math.max(reader.maxLeaseId() + 1, clock.now()),
    maxValueBytes: opts.maxValueBytes ?? 1536 * 1024,
    onClose: async () => {
      open = false;
      policy?.stop();
      leases.stop();
      commits.flush();
      hub.close();
      await compactor.stop();
      db.close();
    },
  });

  if (compactOpts) {
    policy = new CompactionPolicy(clock, window, (rev) => backend.compact(rev), compactOpts);
    policy.start();
  }
  leases.start();
  compactor.kick(); // resume a cleanup interrupted by a restart

  const status: BackendStatus = {
    name: 'sqlite',
    ready: () => open,
    stats: () => ({ ...window(), appliedIndex: sm.appliedIndex(), batches: commits.batches, ops: commits.ops, ...hub.stats() }),
  };
  return Object.assign(backend, { status });
}
