import { Code as status, grpcError } from '../grpc-channel.js';
import type { CallBounds, EtcdConnection } from '../connection.js';
import { translateEtcdError } from '../errors.js';
import type { PbKeyValue, PbRangeResponse, PbResponseOp, PbTxnResponse } from '../proto.js';

/**
 * An in-memory stand-in for an etcd cluster behind EtcdConnection, for unit tests of the write
 * path: Range (now or at a revision) and Txn (compares on MOD/VERSION, put, range, delete), and
 * scripted faults that play what a dying leader does to a request.
 */

/** What happens to one request: answered, or one of the ways etcd loses it. */
export type Fault =
  /** Dropped before etcd took it, but the client cannot know: deadline exceeded. */
  | 'dropped'
  /** Applied, then the answer was lost: deadline exceeded. */
  | 'applied-unanswered'
  /** Deadline exceeded now; applied later, just before the next Txn etcd handles (after a read-back). */
  | 'late'
  /** Refused: the member has no leader (certainly not applied). */
  | 'no-leader';

type Req = Record<string, unknown>;
const grpcErr = (code: number, details: string) => grpcError(code, details);

export class FakeEtcd {
  revision = 1;
  private readonly history = new Map<string, { rev: number; kv: PbKeyValue | undefined }[]>();
  /** Faults for the next Txn requests, then for the next Range requests, in order; empty: answered. */
  readonly txnFaults: Fault[] = [];
  readonly readFaults: Fault[] = [];
  /** Called before each request is handled (another client's writes go here). */
  beforeRequest: (() => void) | undefined;
  txns = 0;
  reads = 0;
  private pending: Req | undefined;

  /** A connection whose calls this fake answers; callMs bounds a whole write. */
  connection(callMs = 2000): EtcdConnection {
    const conn = {
      callMs,
      writeAttemptMs: 100,
      revision: 0,
      members: [],
      ready: () => true,
      version: () => '3.5.21',
      close: () => {},
      call: async (_service: string, method: string, req: Req, what: string, idempotent: boolean, _bounds?: CallBounds) => {
        await Promise.resolve();
        try {
          return this.handle(method, req);
        } catch (err) {
          throw translateEtcdError(err, what, idempotent);
        }
      },
    };
    return conn as unknown as EtcdConnection;
  }

  /** Another client's write: a plain put or delete at the next revision. */
  put(key: string, value: string): number {
    return this.apply({ compare: [], success: [{ requestPut: { key: Buffer.from(key), value: Buffer.from(value) } }], failure: [] }).header.revision;
  }

  remove(key: string): number {
    return this.apply({ compare: [], success: [{ requestDeleteRange: { key: Buffer.from(key) } }], failure: [] }).header.revision;
  }

  /** The key's value now, as a string. */
  value(key: string): string | undefined {
    return this.at(Buffer.from(key), 0)?.value.toString();
  }

  /** How many revisions changed the key (an application per write). */
  changes(key: string): number {
    return (this.history.get(key) ?? []).length;
  }

  private handle(method: string, req: Req): PbRangeResponse | PbTxnResponse {
    if (this.pending && method === 'Txn') {
      this.apply(this.pending);
      this.pending = undefined;
    }
    this.beforeRequest?.();
    const fault = method === 'Txn' ? (this.txns++, this.txnFaults.shift()) : (this.reads++, this.readFaults.shift());
    if (fault === 'no-leader') throw grpcErr(status.UNAVAILABLE, 'etcdserver: no leader');
    if (fault === 'dropped') throw grpcErr(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.100s');
    if (fault === 'late') {
      this.pending = req;
      throw grpcErr(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.100s');
    }
    const res = method === 'Txn' ? this.apply(req) : this.range(req);
    if (fault === 'applied-unanswered') throw grpcErr(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.100s');
    return res;
  }

  private header(): PbRangeResponse['header'] {
    return { clusterId: 1, memberId: 1, revision: this.revision, raftTerm: 1 };
  }

  private at(key: Buffer, revision: number): PbKeyValue | undefined {
    const h = this.history.get(key.toString('latin1')) ?? [];
    const upTo = revision || this.revision;
    let kv: PbKeyValue | undefined;
    for (const v of h) if (v.rev <= upTo) kv = v.kv;
    return kv;
  }

  private range(req: Req): PbRangeResponse {
    const kv = this.at(req.key as Buffer, (req.revision as number) ?? 0);
    const out = kv && (req.keysOnly ? { ...kv, value: Buffer.alloc(0) } : kv);
    return { header: this.header(), kvs: out ? [out] : [], more: false, count: out ? 1 : 0 };
  }

  private holds(c: Req): boolean {
    const kv = this.at(c.key as Buffer, 0);
    const actual = c.target === 'MOD' ? (kv?.modRevision ?? 0) : (kv?.version ?? 0);
    const want = (c.target === 'MOD' ? c.modRevision : c.version) as number;
    return c.result === 'EQUAL' ? actual === want : actual > want;
  }

  private apply(req: Req): PbTxnResponse {
    const ok = (req.compare as Req[]).every((c) => this.holds(c));
    const ops = (ok ? req.success : req.failure) as Req[];
    const writes = ops.some((op) => op.requestPut || op.requestDeleteRange);
    const rev = writes ? this.revision + 1 : this.revision;
    const responses: PbResponseOp[] = ops.map((op) => {
      if (op.requestRange) return { response: 'responseRange', responseRange: this.range(op.requestRange as Req) };
      const key = ((op.requestPut ?? op.requestDeleteRange) as Req).key as Buffer;
      const prev = this.at(key, 0);
      const list = this.history.get(key.toString('latin1')) ?? [];
      this.history.set(key.toString('latin1'), list);
      this.revision = rev;
      if (op.requestDeleteRange) {
        if (prev) list.push({ rev, kv: undefined });
        return { response: 'responseDeleteRange', responseDeleteRange: { header: this.header(), deleted: prev ? 1 : 0, prevKvs: prev ? [prev] : [] } };
      }
      const put = op.requestPut as Req;
      list.push({ rev, kv: { key, value: Buffer.from(put.value as Uint8Array), createRevision: prev?.createRevision ?? rev, modRevision: rev, version: (prev?.version ?? 0) + 1, lease: (put.lease as number) ?? 0 } });
      return { response: 'responsePut' };
    });
    this.revision = rev;
    return { header: this.header(), succeeded: ok, responses };
  }
}
