import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NONE, type ConfChange, type NodeId, type ProposeResult } from '../raft/index.js';
import type { EngineHost, EngineLink, EngineOptions, EngineStats, EngineStatus } from './engine.js';
import { RaftNodeError, type RaftNodeErrorCode } from './errors.js';
import { batchedPoster, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

export interface WorkerEngineOptions {
  /**
   * This node's certificate (serverAuth and clientAuth, CN = nodeCommonName(id), O = NODE_GROUP,
   * SANs for its peer address) and the cluster CA, PEM.
   */
  tls: { key: string; cert: string; ca: string };
  /** Where the worker listens for peers; this node's address in the membership is https://host:port. */
  listen: { host: string; port: number };
  /** This cluster's id, checked in the peer handshake (WsTransportOptions.clusterId). */
  clusterId?: string;
}

/**
 * RaftEngine on a worker thread, seen from the thread that owns the state machine. Inputs are posted
 * to the worker; its callbacks arrive as messages in log order and go to the host (RaftNode).
 * The worker has its own event loop, peer listener and outbound connections, so a long synchronous
 * query on this thread delays only the local apply, never heartbeats, votes or appends.
 */
export class WorkerEngine implements EngineLink {
  private readonly worker: Worker;
  private leader: NodeId = NONE;
  private cached: { status: EngineStatus; stats: EngineStats };
  private nextCall = 1;
  private readonly calls = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  private exited: Promise<void>;
  /** This thread's applied index, shared with the worker (WorkerInit.applied). */
  private readonly applied = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly post: (m: ToWorker) => void;

  constructor(
    opts: Omit<EngineOptions, 'transport' | 'clock' | 'rand'>,
    worker: WorkerEngineOptions,
    private readonly host: EngineHost & { proposalFailed(batch: number, err: Error): void },
  ) {
    const { logger, ...engine } = opts;
    const init: WorkerInit = {
      engine: { ...engine, bootstrap: opts.bootstrap ? [...opts.bootstrap] : undefined, peers: opts.peers ? [...opts.peers] : undefined },
      worker,
      appliedIndex: host.appliedIndex(),
      applied: this.applied.buffer as SharedArrayBuffer,
    };
    Atomics.store(this.applied, 0, BigInt(init.appliedIndex));
    this.cached = {
      status: { id: opts.id, role: 'follower', leader: NONE, term: 0, commit: 0, applied: init.appliedIndex, lastIndex: 0, snapshotIndex: 0, voters: [], learners: [], members: {}, domains: {} },
      stats: { readies: 0, ticks: 0, tickLateMaxMs: 0, snapshotsTaken: 0, snapshotsInstalled: 0, snapshotsSent: 0 },
    };
    this.worker = spawn(init);
    this.post = batchedPoster<ToWorker>((batch) => this.worker.postMessage(batch)).post;
    this.worker.on('message', (batch: FromWorker[]) => {
      for (const m of batch) this.onMessage(m);
    });
    this.worker.on('error', (err) => {
      logger?.warn('raft engine worker failed', { err: err.message });
      host.failed(err);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // Log lines come back as messages (functions cannot cross threads).
    this.log = logger;
  }

  private readonly log;

  start(): void {
    this.post({ t: 'start' });
  }

  propose(batch: number, data: Uint8Array): 'ok' | 'requeue' | Error {
    if (this.leader === NONE) return 'requeue';
    this.post({ t: 'propose', batch, data });
    return 'ok';
  }

  readIndex(ctx: Uint8Array): boolean {
    if (this.leader === NONE) return false;
    this.post({ t: 'readIndex', ctx });
    return true;
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    if (this.leader === NONE) return { ok: false, reason: 'noLeader' };
    // The outcome arrives as confApplied, or the caller's deadline passes.
    this.post({ t: 'conf', cc });
    return { ok: true };
  }

  transferLeadership(to: NodeId): void {
    this.post({ t: 'transfer', to });
  }

  status(): EngineStatus {
    return { ...this.cached.status, applied: this.host.appliedIndex() };
  }

  get stats(): EngineStats {
    return this.cached.stats;
  }

  takeSnapshot(): Promise<number> {
    return this.call((id) => ({ t: 'snapshot', id }));
  }

  async stop(transferLeadership: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // Bounded: a hand-over takes at most an election timeout; a wedged worker is terminated anyway.
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)));
      await Promise.race([this.call((id) => ({ t: 'stop', id, transfer: transferLeadership })), limit]);
    } catch {
      // the worker is already gone
    } finally {
      clearTimeout(timer);
    }
    await this.worker.terminate();
    await this.exited;
    for (const c of this.calls.values()) c.reject(new RaftNodeError('Stopped', 'raft engine worker stopped'));
    this.calls.clear();
  }

  private call(make: (id: number) => ToWorker): Promise<number> {
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.post(make(id));
    });
  }

  private onMessage(m: FromWorker): void {
    try {
      this.handle(m);
    } catch (err) {
      // An apply failed (disk full, I/O error): this node's state and log may now disagree; stop it.
      this.log?.warn('applying committed entries failed; stopping the raft node', { err: (err as Error).message });
      this.host.failed(err as Error);
    }
  }

  private handle(m: FromWorker): void {
    const h = this.host;
    switch (m.t) {
      case 'committed':
        h.committed(m.entries);
        Atomics.store(this.applied, 0, BigInt(h.appliedIndex()));
        return;
      case 'install':
        h.installImage(m.path, m.index, m.term);
        Atomics.store(this.applied, 0, BigInt(h.appliedIndex()));
        return;
      case 'seen':
        return h.seen(m.batch, m.index, m.term);
      case 'readState':
        return h.readState(m.ctx, m.index);
      case 'soft':
        this.leader = m.leader;
        this.cached.status = { ...this.cached.status, leader: m.leader, role: m.role };
        return h.softState(m.leader, m.role);
      case 'conf':
        // As for 'soft': the reported voters and learners change with the entry that changes them
        // (it comes before its 'committed'), so a status never pairs an applied index past a
        // configuration change with the configuration from before it; the rest follows at the tick.
        this.cached.status = { ...this.cached.status, voters: [...m.conf.voters], learners: [...m.conf.learners] };
        return h.confApplied(m.cc, m.conf);
      case 'saveImage':
        h.saveImage(m.path).then(
          ({ index, term }) => this.post({ t: 'imageSaved', id: m.id, index, term }),
          (err: Error) => this.post({ t: 'imageFailed', id: m.id, message: err.message }),
        );
        return;
      case 'proposeFailed':
        return h.proposalFailed(m.batch, new RaftNodeError(m.code as RaftNodeErrorCode, m.message));
      case 'status':
        this.cached = { status: m.status, stats: m.stats };
        return;
      case 'done': {
        const c = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.error !== undefined) c?.reject(new RaftNodeError('Stopped', m.error));
        else c?.resolve(m.value);
        return;
      }
      case 'log':
        this.log?.[m.level](m.msg, m.fields);
        return;
      case 'failed':
        return h.failed(new Error(m.message));
    }
  }
}

/** Starts the worker: engine-worker.js beside this module (the build), or engine-worker.ts through tsx (tests, dev). */
function spawn(init: WorkerInit): Worker {
  const js = new URL('./engine-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: init });
  const ts = new URL('./engine-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) throw new Error(`raft engine worker not found next to ${import.meta.url}`);
  // Source checkouts: register tsx's loader inside the worker, then load the TypeScript entry.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/index\.cjs$/, 'index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(code, { eval: true, workerData: init });
}
