import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { bytes, expectStorageError, summary, text, uniquePrefix, type MakeBackend } from './helpers.js';

/** Revisions, per-key metadata, CAS outcomes, reads at past revisions and the history window. */
export function kvSuite(make: MakeBackend): void {
  describe('kv', () => {
    let b: Backend;
    let p: string;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
    });
    afterEach(async () => {
      await b.close();
    });

    it('create assigns the next revision and starts version at 1', async () => {
      const { revision: r0 } = await b.currentRevision();
      const res = await b.create(p + 'a', bytes('one'));
      expect(res.succeeded).toBe(true);
      expect(res.revision).toBe(r0 + 1);
      expect(summary(res.kv)).toEqual({ key: p + 'a', value: 'one', createRevision: r0 + 1, modRevision: r0 + 1, version: 1, lease: 0 });
      expect(summary((await b.get(p + 'a')).kv)).toEqual(summary(res.kv));
      expect((await b.currentRevision()).revision).toBe(r0 + 1);
    });

    it('create on an existing key is KeyExists and writes nothing', async () => {
      await b.create(p + 'a', bytes('one'));
      const { revision } = await b.currentRevision();
      await expectStorageError(b.create(p + 'a', bytes('two')), 'KeyExists');
      expect((await b.currentRevision()).revision).toBe(revision);
      expect(text((await b.get(p + 'a')).kv?.value)).toBe('one');
    });

    it('update with the current modRevision bumps revision and version, keeps createRevision', async () => {
      const c = await b.create(p + 'a', bytes('one'));
      const u = await b.update(p + 'a', bytes('two'), c.revision);
      expect(u.succeeded).toBe(true);
      expect(u.revision).toBe(c.revision + 1);
      expect(summary(u.kv)).toEqual({ key: p + 'a', value: 'two', createRevision: c.revision, modRevision: c.revision + 1, version: 2, lease: 0 });
      const u2 = await b.update(p + 'a', bytes('three'), u.revision);
      expect(u2.kv?.version).toBe(3);
    });

    it('a failed CAS writes nothing and returns the current kv', async () => {
      const c = await b.create(p + 'a', bytes('one'));
      await b.update(p + 'a', bytes('two'), c.revision);
      const { revision } = await b.currentRevision();
      const stale = await b.update(p + 'a', bytes('stale'), c.revision);
      expect(stale.succeeded).toBe(false);
      expect(stale.revision).toBe(revision);
      expect(text(stale.kv?.value)).toBe('two');
      const missing = await b.update(p + 'nope', bytes('x'), 1);
      expect(missing.succeeded).toBe(false);
      expect(missing.kv).toBeUndefined();
      const badDelete = await b.delete(p + 'a', { expectedModRevision: c.revision });
      expect(badDelete.succeeded).toBe(false);
      expect(text(badDelete.kv?.value)).toBe('two');
      expect((await b.delete(p + 'nope')).succeeded).toBe(false);
      expect((await b.currentRevision()).revision).toBe(revision);
    });

    it('delete bumps the revision and returns the deleted kv; recreate starts a new life', async () => {
      const c = await b.create(p + 'a', bytes('one'));
      const u = await b.update(p + 'a', bytes('two'), c.revision);
      const d = await b.delete(p + 'a', { expectedModRevision: u.revision });
      expect(d.succeeded).toBe(true);
      expect(d.revision).toBe(u.revision + 1);
      expect(summary(d.kv)).toEqual(summary(u.kv));
      expect((await b.get(p + 'a')).kv).toBeUndefined();
      const again = await b.create(p + 'a', bytes('three'));
      expect(again.revision).toBe(d.revision + 1);
      expect(summary(again.kv)).toMatchObject({ createRevision: again.revision, modRevision: again.revision, version: 1 });
      const plain = await b.delete(p + 'a');
      expect(plain.succeeded).toBe(true);
    });

    it('get at a past revision sees the value of that time', async () => {
      const c = await b.create(p + 'a', bytes('one'));
      const u = await b.update(p + 'a', bytes('two'), c.revision);
      const d = await b.delete(p + 'a');
      expect((await b.get(p + 'a', { revision: c.revision - 1 })).kv).toBeUndefined();
      const atC = await b.get(p + 'a', { revision: c.revision });
      expect(atC.revision).toBe(c.revision);
      expect(summary(atC.kv)).toEqual(summary(c.kv));
      expect(text((await b.get(p + 'a', { revision: u.revision })).kv?.value)).toBe('two');
      expect((await b.get(p + 'a', { revision: d.revision })).kv).toBeUndefined();
      expect((await b.get(p + 'a')).revision).toBe(d.revision);
    });

    it('reads above the current revision are FutureRevision', async () => {
      await b.create(p + 'a', bytes('one'));
      const { revision } = await b.currentRevision();
      await expectStorageError(b.get(p + 'a', { revision: revision + 1 }), 'FutureRevision');
      await expectStorageError(b.list(p, { revision: revision + 10 }), 'FutureRevision');
    });

    it('compaction: reads below are Compacted, at and above still see every live key', async () => {
      const a = await b.create(p + 'a', bytes('a1'));
      const a2 = await b.update(p + 'a', bytes('a2'), a.revision);
      const gone = await b.create(p + 'gone', bytes('g'));
      await b.delete(p + 'gone');
      const c = await b.create(p + 'c', bytes('c1'));
      await b.update(p + 'a', bytes('a3'), a2.revision);
      await b.compact(c.revision);
      expect((await b.currentRevision()).compactRevision).toBe(c.revision);
      await expectStorageError(b.get(p + 'a', { revision: c.revision - 1 }), 'Compacted');
      await expectStorageError(b.list(p, { revision: gone.revision }), 'Compacted');
      const at = await b.list(p, { revision: c.revision });
      expect(at.kvs.map((kv) => [kv.key, text(kv.value)])).toEqual([
        [p + 'a', 'a2'],
        [p + 'c', 'c1'],
      ]);
      expect(summary((await b.get(p + 'a', { revision: c.revision })).kv)).toEqual(summary(a2.kv));
      expect(text((await b.get(p + 'a')).kv?.value)).toBe('a3');
    });

    it('values are opaque bytes', async () => {
      const value = new Uint8Array([0, 255, 1, 0, 128]);
      await b.create(p + 'bin', value);
      expect([...((await b.get(p + 'bin')).kv?.value ?? [])]).toEqual([...value]);
      const empty = await b.create(p + 'empty', new Uint8Array(0));
      expect((await b.get(p + 'empty')).kv?.value.byteLength).toBe(0);
      expect(empty.succeeded).toBe(true);
    });
  });
}
