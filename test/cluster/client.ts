// Seeded workload clients. A KV client issues creates, CAS updates, deletes and linearizable reads
// against a few hot keys, one request at a time, with a timeout; after a timeout or a refusal it
// retries the same request on another node (recorded as a new operation: the first may still happen).
// A watch client keeps one watch stream open, restarts it from its last covered revision when the
// node goes away, and now and then restarts from an older revision to exercise resumption.

import type { Rand } from '../../internal/util/index.js';
import type { WatchBatch } from '../../internal/storage/index.js';
import type { EventLoop } from './event-loop.js';
import type { HistoryOp, KvInput, KvOutput } from './history.js';
import type { ClientReply, ClientRequest } from './sim-types.js';
import { toCheckEvent, type WatchStreamRecord } from './watch-checker.js';

/** What clients need from the simulated cluster. */
export interface ClusterPort {
  /** Node ids clients may talk to (current members that are not decommissioned). */
  members(): number[];
  sendRequest(node: number, req: ClientRequest): void;
  openWatch(node: number, stream: number, client: number, prefix: string, afterRevision: number): void;
  cancelWatch(node: number, stream: number): void;
}

export interface WorkloadParams {
  keys: string[];
  timeoutMs: number;
  thinkMaxMs: number;
  maxRetries: number;
}

function pick<T>(rand: Rand, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

export class KvClient {
  private node = 0;
  private seq = 0;
  private inflight: { op: HistoryOp; reqId: string; retries: number } | null = null;
  private knownMod = new Map<string, number>();
  active = true;

  constructor(
    readonly id: number,
    private readonly loop: EventLoop,
    private readonly rand: Rand,
    private readonly port: ClusterPort,
    private readonly params: WorkloadParams,
    private readonly history: HistoryOp[],
  ) {}

  start(): void {
    this.node = pick(this.rand, this.port.members());
    this.loop.after(this.rand() * this.params.thinkMaxMs, () => this.next());
  }

  private nextInput(): KvInput {
    const key = pick(this.rand, this.params.keys);
    const value = `c${this.id}.${this.seq}`;
    const known = this.knownMod.get(key);
    const r = this.rand();
    if (r < 0.3) return { kind: 'get', key };
    if (r < 0.45 || known === undefined) return { kind: 'create', key, value };
    // Mostly the revision this client last saw; sometimes a stale guess, to exercise failed CAS.
    const expected = this.rand() < 0.8 ? known : Math.max(0, known - 1 - Math.floor(this.rand() * 3));
    if (r < 0.88) return { kind: 'update', key, value, expectedModRevision: expected };
    return this.rand() < 0.7 ? { kind: 'delete', key, expectedModRevision: expected } : { kind: 'delete', key };
  }

  private next(): void {
    if (!this.active) return;
    this.seq++;
    this.issue(this.nextInput(), 0);
  }

  private issue(input: KvInput, retries: number): void {
    // Once stopped, not even a retry goes out: the heal phase must end quiescent.
    if (!this.active) return;
    const reqId = `${this.id}.${this.seq}.${retries}`;
    const op: HistoryOp = { id: this.history.length, client: this.id, input, call: this.loop.stamp(), node: this.node };
    this.history.push(op);
    this.inflight = { op, reqId, retries };
    this.port.sendRequest(this.node, { reqId, client: this.id, input });
    this.loop.after(this.params.timeoutMs, () => {
      if (this.inflight?.reqId !== reqId) return;
      // Timed out: the op stays indeterminate (no ret) in the history.
      this.failover(input, retries);
    });
  }

  private failover(input: KvInput, retries: number): void {
    this.inflight = null;
    const others = this.port.members().filter((n) => n !== this.node);
    if (others.length > 0) this.node = pick(this.rand, others);
    if (retries < this.params.maxRetries) this.loop.after(5 + this.rand() * 20, () => this.issue(input, retries + 1));
    else this.loop.after(this.rand() * this.params.thinkMaxMs, () => this.next());
  }

  receive(reply: ClientReply): void {
    const f = this.inflight;
    if (!f || f.reqId !== reply.reqId) return;
    if ('unavailable' in reply) {
      // The node refused before doing anything: this attempt never happened.
      f.op.void = true;
      this.failover(f.op.input, f.retries);
      return;
    }
    this.inflight = null;
    f.op.ret = this.loop.stamp();
    f.op.output = reply.output;
    this.learn(f.op.input, reply.output);
    this.loop.after(this.rand() * this.params.thinkMaxMs, () => this.next());
  }

  private learn(input: KvInput, out: KvOutput): void {
    if (out.kind === 'get') {
      if (out.kv) this.knownMod.set(input.key, out.kv.modRevision);
      else this.knownMod.delete(input.key);
    } else if (out.succeeded) {
      if (input.kind === 'delete') this.knownMod.delete(input.key);
      else this.knownMod.set(input.key, out.revision);
    }
  }
}

export class WatchClient {
  private node = 0;
  private current: WatchStreamRecord | null = null;
  /** Highest revision the client has covered so far (events or progress). */
  private covered = 0;
  active = true;

  constructor(
    readonly id: number,
    private readonly loop: EventLoop,
    private readonly rand: Rand,
    private readonly port: ClusterPort,
    private readonly prefix: string,
    private readonly streams: WatchStreamRecord[],
    private readonly nextStreamId: () => number,
  ) {}

  start(): void {
    this.node = pick(this.rand, this.port.members());
    this.open(0);
    this.scheduleRestart();
  }

  private open(after: number): void {
    if (!this.active) return;
    const s: WatchStreamRecord = { id: this.nextStreamId(), client: this.id, node: this.node, prefix: this.prefix, afterRevision: after, batches: [] };
    this.streams.push(s);
    this.current = s;
    this.port.openWatch(this.node, s.id, this.id, this.prefix, after);
  }

  /** Now and then: drop the stream and resume from an older revision, maybe on another node. */
  private scheduleRestart(): void {
    this.loop.after(300 + this.rand() * 1500, () => {
      if (!this.active) return;
      if (this.current) this.port.cancelWatch(this.current.node, this.current.id);
      this.node = pick(this.rand, this.port.members());
      this.open(Math.floor(this.rand() * (this.covered + 1)));
      this.scheduleRestart();
    });
  }

  receive(stream: number, batch: WatchBatch): void {
    const s = this.current;
    if (!s || s.id !== stream) return;
    s.batches.push({ revision: batch.revision, events: batch.events.map(toCheckEvent) });
    this.covered = Math.max(this.covered, batch.revision);
  }

  closed(stream: number): void {
    const s = this.current;
    if (!s || s.id !== stream || !this.active) return;
    this.current = null;
    this.loop.after(20 + this.rand() * 50, () => {
      if (this.current || !this.active) return;
      const others = this.port.members().filter((n) => n !== this.node);
      this.node = pick(this.rand, others.length > 0 ? others : this.port.members());
      const last = s.batches.reduce((m, b) => Math.max(m, b.revision), s.afterRevision);
      this.open(last);
    });
  }
}
