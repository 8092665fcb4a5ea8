import { type AdminCreds, adminRequest } from './ha-harness.js';

export interface Ack {
  name: string;
  startedAt: number;
  ackedAt: number;
}

/**
 * Loops of ConfigMap creates through one address (HAProxy), each on a fresh connection, each with a
 * new name. A create counts as acknowledged only on 201 Created; anything else (refused, reset,
 * timed out, 5xx) is a failure whose outcome is unknown, so it is never asserted on.
 */
export class Writer {
  readonly acks: Ack[] = [];
  readonly failures: { name: string; at: number; error: string }[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly creds: AdminCreds,
    private readonly port: number,
    readonly namespace: string,
    readonly prefix: string,
    private readonly concurrency = 2,
    private readonly pauseMs = 20,
  ) {}

  start(): void {
    this.running = true;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const name = `${this.prefix}-${String(this.seq++).padStart(5, '0')}`;
      const startedAt = Date.now();
      try {
        const r = await adminRequest(this.creds, this.port, 'POST', `/api/v1/namespaces/${this.namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { at: String(startedAt) } });
        if (r.status === 201) this.acks.push({ name, startedAt, ackedAt: Date.now() });
        else this.failures.push({ name, at: startedAt, error: `HTTP ${r.status}: ${r.body.slice(0, 160)}` });
      } catch (err) {
        this.failures.push({ name, at: startedAt, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  /** Resolves once n more creates are acknowledged than now, or throws after timeoutMs. */
  async moreAcks(n: number, timeoutMs: number): Promise<void> {
    const want = this.acks.length + n;
    const deadline = Date.now() + timeoutMs;
    while (this.acks.length < want) {
      if (Date.now() > deadline) throw new Error(`writer: ${this.acks.length - want + n}/${n} acks in ${timeoutMs} ms; last failures: ${JSON.stringify(this.failures.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** ms from t until the first acknowledgement of a create sent after t (undefined if none yet). */
  resumedAfter(t: number): number | undefined {
    const first = this.acks.filter((a) => a.startedAt >= t).sort((a, b) => a.ackedAt - b.ackedAt)[0];
    return first ? first.ackedAt - t : undefined;
  }

  /** The longest time between two consecutive acknowledgements from t on. */
  longestGapAfter(t: number): number {
    const times = [t, ...this.acks.map((a) => a.ackedAt).filter((x) => x >= t)].sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return gap;
  }

  failuresSince(t: number): number {
    return this.failures.filter((f) => f.at >= t).length;
  }

  /** The distinct failure messages with their counts, for the test log. */
  failureSummary(): string {
    const counts = new Map<string, number>();
    for (const f of this.failures) counts.set(f.error, (counts.get(f.error) ?? 0) + 1);
    return [...counts].map(([e, n]) => `${n}x ${e}`).join('; ') || 'none';
  }
}

/** The names of every ConfigMap in a namespace, read through the given port. */
export async function listNames(creds: AdminCreds, port: number, namespace: string): Promise<Set<string>> {
  const r = await adminRequest(creds, port, 'GET', `/api/v1/namespaces/${namespace}/configmaps`, undefined, 20_000);
  if (r.status !== 200) throw new Error(`list configmaps: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  return new Set((JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name));
}
