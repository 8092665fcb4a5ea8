import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { isStorageError } from '../errors.js';
import { bytes, expectStorageError, text, uniquePrefix, type MakeBackend } from './helpers.js';

/**
 * Fenced writes (WriteOptions.guard): a write commits only while the guard key is at the expected
 * modRevision, compared atomically with the write; otherwise GuardFailed, nothing written, no
 * revision used, no event.
 */
export function guardSuite(make: MakeBackend): void {
  describe('guard (fenced writes)', () => {
    let b: Backend;
    let p: string;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
    });
    afterEach(async () => {
      await b.close();
    });

    it('create, update and delete commit while the guard key is at the expected modRevision', async () => {
      const lease = await b.create(p + 'lease', bytes('holder-a'));
      const guard = { key: p + 'lease', modRevision: lease.revision };
      const c = await b.create(p + 'x', bytes('1'), { guard });
      expect(c.succeeded).toBe(true);
      const u = await b.update(p + 'x', bytes('2'), c.revision, { guard });
      expect(u.succeeded).toBe(true);
      const d = await b.delete(p + 'x', { guard });
      expect(d.succeeded).toBe(true);
      expect((await b.get(p + 'x')).kv).toBeUndefined();
    });

    it('a stale guard fails every kind of write with GuardFailed: nothing written, no revision used', async () => {
      const lease = await b.create(p + 'lease', bytes('holder-a'));
      await b.create(p + 'kept', bytes('old'));
      const renewed = await b.update(p + 'lease', bytes('holder-b'), lease.revision);
      const stale = { key: p + 'lease', modRevision: lease.revision };
      const { revision } = await b.currentRevision();
      await expectStorageError(b.create(p + 'new', bytes('1'), { guard: stale }), 'GuardFailed');
      await expectStorageError(b.update(p + 'kept', bytes('new'), (await b.get(p + 'kept')).kv!.modRevision, { guard: stale }), 'GuardFailed');
      await expectStorageError(b.delete(p + 'kept', { guard: stale }), 'GuardFailed');
      await expectStorageError(b.delete(p + 'kept', { guard: stale, expectedModRevision: (await b.get(p + 'kept')).kv!.modRevision }), 'GuardFailed');
      expect((await b.currentRevision()).revision).toBe(revision);
      expect((await b.get(p + 'new')).kv).toBeUndefined();
      expect(text((await b.get(p + 'kept')).kv?.value)).toBe('old');
      // The error tells where the guard key is now.
      const err = await b.create(p + 'new', bytes('1'), { guard: stale }).catch((e: unknown) => e);
      expect(isStorageError(err, 'GuardFailed') && err.details.guardModRevision).toBe(renewed.revision);
    });

    it('a guard on a missing key fails unless it expects modRevision 0; a deleted guard key fails the write', async () => {
      await expectStorageError(b.create(p + 'x', bytes('1'), { guard: { key: p + 'nolease', modRevision: 5 } }), 'GuardFailed');
      expect((await b.create(p + 'x', bytes('1'), { guard: { key: p + 'nolease', modRevision: 0 } })).succeeded).toBe(true);
      const lease = await b.create(p + 'lease', bytes('a'));
      await b.delete(p + 'lease');
      await expectStorageError(b.update(p + 'x', bytes('2'), (await b.get(p + 'x')).kv!.modRevision, { guard: { key: p + 'lease', modRevision: lease.revision } }), 'GuardFailed');
    });

    it('the guard is checked before the write’s own compare: a stale guard with a stale expected revision is GuardFailed', async () => {
      const lease = await b.create(p + 'lease', bytes('a'));
      await b.create(p + 'x', bytes('1'));
      await b.update(p + 'lease', bytes('b'), lease.revision);
      await expectStorageError(b.update(p + 'x', bytes('2'), 1, { guard: { key: p + 'lease', modRevision: lease.revision } }), 'GuardFailed');
    });

    it('concurrent writes racing a guard change: each one commits only if it was ordered before the change', async () => {
      const lease = await b.create(p + 'lease', bytes('a'));
      const guard = { key: p + 'lease', modRevision: lease.revision };
      const writes = Array.from({ length: 10 }, (_, i) => b.create(`${p}w${i}`, bytes(String(i)), { guard }).then((r) => r.revision, () => 0));
      const change = b.update(p + 'lease', bytes('b'), lease.revision);
      const [revs, changed] = await Promise.all([Promise.all(writes), change]);
      for (const [i, rev] of revs.entries()) {
        const stored = (await b.get(`${p}w${i}`)).kv;
        if (rev === 0) expect(stored).toBeUndefined();
        else expect(rev).toBeLessThan(changed.revision);
      }
    });
  });
}
