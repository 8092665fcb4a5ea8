import { Code as status } from './grpc-channel.js';
import { describe, expect, it } from 'vitest';
import { isStorageError } from '../../storage/index.js';
import { isRetryable, translateEtcdError } from './errors.js';
import { Keyspace, prefixEnd } from './keyspace.js';
import { HintCache } from './hint-cache.js';
import { ProgressGate, progressIsRacy } from './progress-gate.js';

const grpcErr = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });

describe('Keyspace', () => {
  it('keeps kube-apiserver keys as they are under the default prefix', () => {
    const ks = new Keyspace();
    expect(ks.toEtcd('/registry/configmaps/ns/a').toString()).toBe('/registry/configmaps/ns/a');
    expect(ks.fromEtcd(Buffer.from('/registry/pods/ns/p'))).toBe('/registry/pods/ns/p');
  });
  it('moves /registry under another prefix and back', () => {
    const ks = new Keyspace('/cluster-a/');
    expect(ks.toEtcd('/registry/configmaps/ns/a').toString()).toBe('/cluster-a/configmaps/ns/a');
    expect(ks.toEtcd('/registry/').toString()).toBe('/cluster-a/');
    expect(ks.fromEtcd(Buffer.from('/cluster-a/configmaps/ns/a'))).toBe('/registry/configmaps/ns/a');
    expect(ks.toEtcd('/conformance/x').toString()).toBe('/conformance/x');
    expect(() => new Keyspace('registry')).toThrow(/must start with/);
  });
  it('prefixEnd is the first key after every key with the prefix', () => {
    expect(prefixEnd(Buffer.from('/a/')).toString()).toBe('/a0');
    expect([...prefixEnd(Buffer.from([0x61, 0xff]))]).toEqual([0x62]);
    expect([...prefixEnd(Buffer.from([0xff, 0xff]))]).toEqual([0]);
  });
});

describe('progressIsRacy', () => {
  it.each([
    ['3.4.23', true],
    ['3.4.24', true],
    ['3.4.25', false],
    ['3.5.7', true],
    ['3.5.8', false],
    ['3.6.0', false],
    ['3.3.27', true],
    [undefined, true],
  ])('%s -> %s', (v, racy) => expect(progressIsRacy(v)).toBe(racy));
});

describe('ProgressGate', () => {
  it('keeps one request in flight and folds the others into one more', () => {
    let sent = 0;
    const g = new ProgressGate(() => '3.5.21', () => (sent++, true));
    g.request();
    g.request();
    g.request();
    expect(sent).toBe(1);
    expect(g.onResponse(10)).toBe(10);
    expect(sent).toBe(2);
    expect(g.onResponse(11)).toBe(11);
    expect(sent).toBe(2);
  });
  it('on a racy etcd hands a revision on only after the next answer', () => {
    let sent = 0;
    const g = new ProgressGate(() => '3.4.23', () => (sent++, true));
    g.request();
    expect(g.onResponse(10)).toBe(0);
    expect(sent).toBe(2);
    expect(g.onResponse(12)).toBe(10);
    expect(sent).toBe(2);
    g.reset();
    g.request();
    expect(sent).toBe(3);
  });
});

describe('etcd errors', () => {
  it.each([
    [status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted', false, 'Compacted'],
    [status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision', true, 'FutureRevision'],
    [status.INVALID_ARGUMENT, 'etcdserver: request is too large', false, 'TooLarge'],
    [status.UNAVAILABLE, 'etcdserver: no leader', false, 'Unavailable'],
    [status.UNAVAILABLE, 'No connection established', false, 'Unavailable'],
    [status.UNAVAILABLE, 'etcdserver: request timed out', true, 'Unavailable'],
    [status.UNAVAILABLE, 'etcdserver: request timed out', false, 'Timeout'],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded', false, 'Timeout'],
    [status.DEADLINE_EXCEEDED, 'Deadline exceeded after 5.000s,Waiting for LB pick', false, 'Unavailable'],
  ])('%i %s (read: %s) -> %s', (code, details, idempotent, want) => {
    const err = translateEtcdError(grpcErr(code, details), 'x', idempotent);
    expect(isStorageError(err, want as never)).toBe(true);
    expect((err as Error).message).toMatch(/etcd/);
  });
  it('a rejected request is a plain error (a defect, 500), not a retry', () => {
    const err = grpcErr(status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request');
    expect(isStorageError(translateEtcdError(err, 'x', false))).toBe(false);
    expect(isRetryable(err, true)).toBe(false);
  });
  it('writes go to another member only when etcd certainly did not take them', () => {
    expect(isRetryable(grpcErr(status.UNAVAILABLE, 'etcdserver: no leader'), false)).toBe(true);
    expect(isRetryable(grpcErr(status.UNAVAILABLE, 'Connection dropped'), false)).toBe(false);
    expect(isRetryable(grpcErr(status.UNAVAILABLE, 'Connection dropped'), true)).toBe(true);
    expect(isRetryable(grpcErr(status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'), true)).toBe(false);
  });
});

describe('HintCache', () => {
  const kv = (key: string, modRevision: number, bytes = 0) => ({ key, value: new Uint8Array(bytes), createRevision: 1, modRevision, version: 1, lease: 0 });
  it('keeps the newest state of the most recently set keys, up to its bound in bytes', () => {
    const h = new HintCache(2 * 101);
    h.set('a', kv('a', 1));
    h.set('b', kv('b', 2));
    h.set('a', kv('a', 3));
    h.set('c', kv('c', 4));
    expect(h.get('b')).toBeUndefined();
    expect(h.get('a')?.modRevision).toBe(3);
    h.set('a', undefined);
    expect(h.get('a')).toBeUndefined();
    expect(h.get('c')?.modRevision).toBe(4);
  });
  it('counts the bytes of the values: one large value pushes out several small ones; replacing a key frees its old size', () => {
    const h = new HintCache(1000);
    for (const k of ['a', 'b', 'c']) h.set(k, kv(k, 1, 100));
    h.set('a', kv('a', 2, 100));
    h.set('big', kv('big', 3, 600));
    expect(['a', 'b', 'c', 'big'].map((k) => h.get(k) !== undefined)).toEqual([true, false, false, true]);
  });
  it('walking through more keys than a count bound would hold, in order, still hits', () => {
    const h = new HintCache();
    const keys = Array.from({ length: 10_000 }, (_, i) => `/registry/configmaps/ns/cm-${i}`);
    for (const k of keys) h.set(k, kv(k, 1, 1024));
    expect(keys.filter((k) => h.get(k)).length).toBe(10_000);
  });
});
