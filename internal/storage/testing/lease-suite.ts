import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { bytes, summary, uniquePrefix, WatchRecorder, type BackendConformanceOptions, type MakeBackend } from './helpers.js';

/** Leases: attached keys are deleted (with delete events) when the lease expires. */
export function leaseSuite(make: MakeBackend, opts: BackendConformanceOptions): void {
  describe('leases', () => {
    let b: Backend;
    let p: string;
    let ac: AbortController;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
      ac = new AbortController();
    });
    afterEach(async () => {
      await b.close();
    });

    it('keys attached to an expired lease are deleted with a delete event', async () => {
      const timeout = opts.leaseExpiryTimeoutMs ?? 10_000;
      const lease = await b.grantLease(1);
      expect(lease).toBeGreaterThan(0);
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      const short = await b.create(p + 'short', bytes('s'), { lease });
      expect(short.kv?.lease).toBe(lease);
      const kept = await b.create(p + 'kept', bytes('k'));
      const sibling = await b.create(p + 'sibling', bytes('s2'), { lease });
      await w.until(() => w.events.some((e) => e.type === 'delete') && w.events.filter((e) => e.type === 'delete').length >= 2, timeout, 'lease expiry');
      const deletes = w.events.filter((e) => e.type === 'delete');
      expect(deletes.map((e) => e.kv.key).sort()).toEqual([p + 'short', p + 'sibling']);
      expect(summary(deletes.find((e) => e.kv.key === p + 'short')!.prevKv)).toEqual(summary(short.kv));
      expect(summary(deletes.find((e) => e.kv.key === p + 'sibling')!.prevKv)).toEqual(summary(sibling.kv));
      expect((await b.get(p + 'short')).kv).toBeUndefined();
      expect(summary((await b.get(p + 'kept')).kv)).toEqual(summary(kept.kv));
      ac.abort();
    });

    it('an update keeps a lease only when it passes it again', async () => {
      const lease = await b.grantLease(600);
      const c = await b.create(p + 'a', bytes('1'), { lease });
      const u = await b.update(p + 'a', bytes('2'), c.revision, { lease });
      expect(u.kv?.lease).toBe(lease);
      const u2 = await b.update(p + 'a', bytes('3'), u.revision);
      expect(u2.kv?.lease).toBe(0);
    });
  });
}
