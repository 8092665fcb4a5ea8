import type { EtcdConnection } from './connection.js';
import { grantLease } from './leases.js';
import type { PbRangeResponse, PbTxnResponse } from './proto.js';

export interface CompactorOptions {
  intervalMs: number;
  /** The key held, on an etcd lease, by the one kplane that compacts. */
  holderKey: Buffer;
  holder: string;
  /** kube-apiserver's compact_rev_key: its value is the last compacted revision, its version counts compactions. */
  compactRevKey: Buffer;
  onCompacted: (revision: number) => void;
  log: (msg: string, err?: unknown) => void;
}

/**
 * Periodic compaction, one kplane at a time. Every interval each kplane renews or tries to take
 * the holder key, attached to an etcd lease of two intervals; the holder compacts to the revision it
 * saw one interval earlier (so about one interval of history stays, as kube-apiserver keeps five
 * minutes). The compaction itself follows kube-apiserver's protocol on compact_rev_key (a Txn on
 * its version, then Compact), so kplanes and upstream apiservers sharing an etcd never double it.
 */
export class EtcdCompactor {
  private timer: NodeJS.Timeout | undefined;
  private lease = 0;
  private lastRevision = 0;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly conn: EtcdConnection,
    private readonly o: CompactorOptions,
  ) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // Hand the role over at once instead of after the lease's TTL.
    if (this.lease) await this.conn.call('Lease', 'LeaseRevoke', { ID: this.lease }, 'revoke compactor lease', true).catch(() => {});
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err) => this.o.log('etcd compaction skipped this round', err))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.o.intervalMs);
    this.timer.unref();
  }

  /** One round; returns whether this kplane compacted. Public for tests. */
  async tick(): Promise<boolean> {
    if (!(await this.holdRole())) return false;
    const cur = await this.conn.call<PbRangeResponse>('KV', 'Range', { key: this.o.compactRevKey }, 'read compact revision', true);
    const target = this.lastRevision;
    this.lastRevision = cur.header.revision;
    const version = cur.kvs[0]?.version ?? 0;
    const done = Number(cur.kvs[0]?.value.toString() ?? 0);
    if (target <= done) return false;
    const won = await this.conn.call<PbTxnResponse>('KV', 'Txn', {
      compare: [{ key: this.o.compactRevKey, target: 'VERSION', result: 'EQUAL', version }],
      success: [{ requestPut: { key: this.o.compactRevKey, value: Buffer.from(String(target)) } }],
      failure: [],
    }, 'record compaction', false);
    if (!won.succeeded) return false;
    await this.conn.call('KV', 'Compact', { revision: target, physical: false }, 'compact', true);
    this.o.onCompacted(target);
    return true;
  }

  private async holdRole(): Promise<boolean> {
    const ttl = Math.max(2, Math.ceil((2 * this.o.intervalMs) / 1000));
    if (this.lease && (await this.keepAlive())) return true;
    this.lease = 0;
    const granted = { ID: await grantLease(this.conn, ttl, 'grant compactor lease') };
    const r = await this.conn.call<PbTxnResponse>('KV', 'Txn', {
      compare: [{ key: this.o.holderKey, target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
      success: [{ requestPut: { key: this.o.holderKey, value: Buffer.from(this.o.holder), lease: granted.ID } }],
      failure: [],
    }, 'take compactor role', false);
    if (r.succeeded) this.lease = granted.ID;
    else await this.conn.call('Lease', 'LeaseRevoke', { ID: granted.ID }, 'revoke unused lease', true).catch(() => {});
    return r.succeeded;
  }

  /** One keep-alive of the held lease; false when it has expired (someone else may hold the role). */
  private keepAlive(): Promise<boolean> {
    const m = this.conn.order()[0]!;
    return new Promise((resolve) => {
      const s = this.conn.stream<{ TTL: number }>(m, 'Lease', 'LeaseKeepAlive');
      const t = setTimeout(() => finish(false), 5000);
      const finish = (ok: boolean) => {
        clearTimeout(t);
        s.cancel();
        resolve(ok);
      };
      s.on('data', (r: { TTL: number }) => finish(r.TTL > 0));
      s.on('error', () => finish(false));
      s.write({ ID: this.lease });
    });
  }
}
