// Seeded network between nodes: per-message drop, duplication and random delay (which reorders), plus
// directed link cuts, so partitions can be symmetric or asymmetric. A message in flight to a node that
// crashes (or is cut off) before delivery is lost, like a reset TCP connection.

import type { Rand } from '../../internal/util/index.js';
import type { EventLoop } from './event-loop.js';

export interface NetworkProfile {
  /** Probability that one message is dropped. */
  dropRate: number;
  /** Probability that one message is delivered twice. */
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface Endpoint {
  /** Increments on every restart; deliveries addressed to an older incarnation are lost. */
  incarnation(): number;
  isUp(): boolean;
  deliver(payload: unknown, from: number): void;
}

export class Network {
  private readonly cut = new Set<string>();
  private readonly endpoints = new Map<number, Endpoint>();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly loop: EventLoop,
    private readonly rand: Rand,
    public profile: NetworkProfile,
  ) {}

  register(id: number, ep: Endpoint): void {
    this.endpoints.set(id, ep);
  }

  /** Blocks messages from → to (one direction). */
  block(from: number, to: number): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Splits the nodes into groups that cannot talk to each other (both directions). */
  partition(groups: number[][]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.block(a, b);
  }

  heal(): void {
    this.cut.clear();
  }

  isBlocked(from: number, to: number): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  describeCuts(): string {
    return [...this.cut].sort().join(' ');
  }

  /**
   * Sends payload. Returns false when the transport can tell at once that the peer is unreachable (link
   * cut or peer down), as a failed TCP connect would; silent loss returns true. `onDone(delivered)`
   * fires when the (first) copy is delivered or lost, like a transport's send completion.
   */
  send(from: number, to: number, payload: unknown, onDone?: (delivered: boolean) => void, opts: { duplicable?: boolean } = {}): boolean {
    this.sent++;
    const ep = this.endpoints.get(to);
    if (!ep || !ep.isUp() || this.isBlocked(from, to)) {
      this.dropped++;
      onDone?.(false);
      return false;
    }
    if (this.rand() < this.profile.dropRate) {
      this.dropped++;
      if (onDone) this.loop.after(this.profile.maxDelayMs, () => onDone(false));
      return true;
    }
    // Always draw, so the random stream does not depend on the message kind.
    const copies = this.rand() < this.profile.duplicateRate && opts.duplicable !== false ? 2 : 1;
    const inc = ep.incarnation();
    for (let i = 0; i < copies; i++) {
      const { minDelayMs: lo, maxDelayMs: hi } = this.profile;
      this.loop.after(lo + this.rand() * (hi - lo), () => {
        const ok = ep.isUp() && ep.incarnation() === inc && !this.isBlocked(from, to);
        if (ok) ep.deliver(payload, from);
        else this.dropped++;
        if (i === 0) onDone?.(ok);
      });
    }
    return true;
  }
}
