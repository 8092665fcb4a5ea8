import type { NodeId } from '../raft/index.js';
import type { FrameHandler, PeerLostHandler, Transport } from './transport.js';

/**
 * An in-process network for tests: every node gets a Transport from the same MemoryNetwork. Frames
 * are copied and delivered asynchronously (setImmediate), in order per link. Links can be cut
 * (both directions) to make partitions; a cut link refuses sends, as a dropped connection would.
 */
export class MemoryNetwork {
  private readonly handlers = new Map<NodeId, FrameHandler>();
  private readonly lostHandlers = new Map<NodeId, PeerLostHandler>();
  private readonly cut = new Set<string>();
  /** Frames delivered, for tests that count traffic. */
  delivered = 0;

  transport(id: NodeId): Transport {
    return new MemoryTransport(id, this);
  }

  /** Cuts (or with heal=true restores) the links between a and b. */
  partition(a: NodeId, b: NodeId, heal = false): void {
    for (const k of [`${a}>${b}`, `${b}>${a}`]) {
      if (heal) this.cut.delete(k);
      else this.cut.add(k);
    }
  }

  /** Cuts (or with heal=true restores) only the link from `from` to `to`; the other way still delivers. */
  cutOneWay(from: NodeId, to: NodeId, heal = false): void {
    if (heal) this.cut.delete(`${from}>${to}`);
    else this.cut.add(`${from}>${to}`);
  }

  /**
   * The connection between a and b closed while both processes live (one was paused past the
   * other's ping timeout): both transports report it, as a closed socket does, and frames go on
   * flowing (the connection is dialled again).
   */
  reset(a: NodeId, b: NodeId): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const lost = this.lostHandlers.get(x);
      if (lost) setImmediate(() => lost(y));
    }
  }

  /** Cuts a node off from every other one (or heals it). */
  isolate(id: NodeId, others: NodeId[], heal = false): void {
    for (const o of others) if (o !== id) this.partition(id, o, heal);
  }

  /**
   * The process of `id` died (kill -9): frames to and from it are lost, and every other node's
   * transport reports the closed connections, as the kernel's resets do. (A partition, by contrast,
   * reports nothing: a cut cable closes no socket.)
   */
  kill(id: NodeId): void {
    this.register(id, undefined);
    for (const [other, lost] of this.lostHandlers) if (other !== id) setImmediate(() => lost(id));
  }

  register(id: NodeId, h: FrameHandler | undefined, lost?: PeerLostHandler): void {
    if (h) this.handlers.set(id, h);
    else this.handlers.delete(id);
    if (h && lost) this.lostHandlers.set(id, lost);
    else this.lostHandlers.delete(id);
  }

  deliver(from: NodeId, to: NodeId, frame: Uint8Array): boolean {
    if (this.cut.has(`${from}>${to}`) || !this.handlers.has(to)) return false;
    const copy = frame.slice();
    setImmediate(() => {
      // Re-checked at delivery: a partition made meanwhile loses frames in flight.
      const h = this.handlers.get(to);
      if (!h || this.cut.has(`${from}>${to}`)) return;
      this.delivered++;
      h(from, copy);
    });
    return true;
  }
}

class MemoryTransport implements Transport {
  constructor(
    private readonly id: NodeId,
    private readonly net: MemoryNetwork,
  ) {}

  start(handler: FrameHandler, peerLost?: PeerLostHandler): void {
    this.net.register(this.id, handler, peerLost);
  }

  send(to: NodeId, frame: Uint8Array): boolean {
    return this.net.deliver(this.id, to, frame);
  }

  async drained(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  setPeers(): void {
    // Every node is reachable by id; addresses do not matter in memory.
  }

  async close(): Promise<void> {
    this.net.register(this.id, undefined);
  }
}
