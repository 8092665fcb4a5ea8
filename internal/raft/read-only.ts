import type { Message, NodeId } from './types.js';

/** One pending ReadIndex request on the leader. */
export interface ReadIndexRequest {
  /** The leader's commit index when the request arrived: the read point once confirmed. */
  index: number;
  /** The request (from = requesting node; the leader itself for local requests). */
  req: Message;
  acks: Set<NodeId>;
}

/**
 * ReadIndex bookkeeping (thesis §6.4, etcd ReadOnlySafe): each request waits for a heartbeat round
 * acknowledged by a quorum, proving that no newer leader existed when the commit index was taken.
 * A quorum ack for one request also confirms every request queued before it.
 */
export class ReadOnly {
  private pending = new Map<string, ReadIndexRequest>();
  private queue: string[] = [];

  add(index: number, req: Message): void {
    const key = ctxKey(req.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, req, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat ack carrying `context`; returns the ack set, or undefined if unknown. */
  recvAck(from: NodeId, context: Uint8Array | undefined): ReadonlySet<NodeId> | undefined {
    const rs = this.pending.get(ctxKey(context));
    if (!rs) return undefined;
    rs.acks.add(from);
    return rs.acks;
  }

  /** Removes and returns the request for `context` and all queued before it, oldest first. */
  advance(context: Uint8Array | undefined): ReadIndexRequest[] {
    const key = ctxKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1).map((k) => this.pending.get(k)!);
    for (const k of this.queue.slice(0, at + 1)) this.pending.delete(k);
    this.queue = this.queue.slice(at + 1);
    return done;
  }

  /** Context of the newest pending request, sent with heartbeats so one round serves all. */
  lastPendingContext(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)!.req.context;
  }
}

function ctxKey(c: Uint8Array | undefined): string {
  return c ? Buffer.from(c).toString('latin1') : '';
}
