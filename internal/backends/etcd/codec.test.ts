import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../util/index.js';
import { METHODS, readRangeResponse, readTxnResponse, readWatchResponse } from './codec.js';
import { PbReader, PbWriter } from './pb-wire.js';

// The hand-written codec against protobufjs reading etcd's vendored .proto files: what one
// encodes the other must decode to the same fields.
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(packageRoot(), 'third_party', 'etcd', 'api', target);
root.loadSync('etcdserverpb/rpc.proto');
const T = (name: string) => root.lookupType(name);
const toObj = (type: string, buf: Buffer) => T(type).toObject(T(type).decode(buf), { longs: Number, enums: String, defaults: false, oneofs: false });
const body = (frame: Buffer) => {
  expect(frame[0]).toBe(0);
  expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
  return frame.subarray(5);
};
const enc = (type: string, obj: object) => Buffer.from(T(type).encode(T(type).fromObject(obj)).finish());
const b = (s: string) => Buffer.from(s);

describe('etcd codec: requests', () => {
  it('RangeRequest: every field kplane sets', () => {
    const req = { key: b('/registry/a'), rangeEnd: b('/registry/b'), limit: 500, revision: 2 ** 40 + 7, serializable: true, keysOnly: true, countOnly: true };
    expect(toObj('etcdserverpb.RangeRequest', body(METHODS['KV.Range']!.encode(req)))).toEqual(req);
  });

  it('TxnRequest: compares (a zero mod_revision is sent), put, range, delete', () => {
    const value = Buffer.alloc(1500, 7);
    const req = {
      compare: [
        { key: b('k'), target: 'MOD', result: 'EQUAL', modRevision: 0 },
        { key: b('k'), target: 'VERSION', result: 'GREATER', version: 0 },
        { key: b('g'), target: 'CREATE', result: 'EQUAL', createRevision: 12 },
      ],
      success: [{ requestPut: { key: b('k'), value, lease: 99 } }, { requestRange: { key: b('k'), keysOnly: true } }],
      failure: [{ requestRange: { key: b('k') } }, { requestDeleteRange: { key: b('k'), prevKv: true } }],
    };
    // protobufjs leaves out enum values equal to their default; a zero oneof member is on the wire.
    expect(toObj('etcdserverpb.TxnRequest', body(METHODS['KV.Txn']!.encode(req)))).toEqual({
      compare: [
        { key: b('k'), target: 'MOD', modRevision: 0 },
        { key: b('k'), result: 'GREATER', version: 0 },
        { key: b('g'), target: 'CREATE', createRevision: 12 },
      ],
      success: req.success,
      failure: req.failure,
    });
  });

  it('WatchRequest: create, cancel, progress', () => {
    const create = { createRequest: { key: b('/r/'), rangeEnd: b('/r0'), startRevision: 41, prevKv: true, fragment: true, watchId: 3 } };
    expect(toObj('etcdserverpb.WatchRequest', body(METHODS['Watch.Watch']!.encode(create)))).toEqual(create);
    expect(toObj('etcdserverpb.WatchRequest', body(METHODS['Watch.Watch']!.encode({ cancelRequest: { watchId: 3 } })))).toEqual({ cancelRequest: { watchId: 3 } });
    expect(toObj('etcdserverpb.WatchRequest', body(METHODS['Watch.Watch']!.encode({ progressRequest: {} })))).toEqual({ progressRequest: {} });
  });

  it('lease, compaction and status requests', () => {
    expect(toObj('etcdserverpb.LeaseGrantRequest', body(METHODS['Lease.LeaseGrant']!.encode({ TTL: 60, ID: 2 ** 52 + 3 })))).toEqual({ TTL: 60, ID: 2 ** 52 + 3 });
    expect(toObj('etcdserverpb.LeaseRevokeRequest', body(METHODS['Lease.LeaseRevoke']!.encode({ ID: 5 })))).toEqual({ ID: 5 });
    expect(toObj('etcdserverpb.LeaseKeepAliveRequest', body(METHODS['Lease.LeaseKeepAlive']!.encode({ ID: 5 })))).toEqual({ ID: 5 });
    expect(toObj('etcdserverpb.CompactionRequest', body(METHODS['KV.Compact']!.encode({ revision: 300, physical: false })))).toEqual({ revision: 300 });
    expect(body(METHODS['Maintenance.Status']!.encode({})).length).toBe(0);
  });
});

describe('etcd codec: answers', () => {
  const header = { clusterId: 14841639068965178418n.toString(), memberId: 10276657743932975437n.toString(), revision: 123456, raftTerm: 9 };
  const kv = (k: string, rev: number) => ({ key: b(k), createRevision: rev - 1, modRevision: rev, version: 2, value: b(`v-${k}`), lease: 7 });

  it('RangeResponse', () => {
    const msg = enc('etcdserverpb.RangeResponse', { header, kvs: [kv('a', 10), kv('b', 11)], more: true, count: 5001 });
    const r = readRangeResponse(msg);
    expect(r.header.revision).toBe(123456);
    expect(r.header.raftTerm).toBe(9);
    expect(r.kvs).toEqual([kv('a', 10), kv('b', 11)]);
    expect(r.more).toBe(true);
    expect(r.count).toBe(5001);
    expect(readRangeResponse(enc('etcdserverpb.RangeResponse', {}))).toEqual({ header: { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 }, kvs: [], more: false, count: 0 });
  });

  it('TxnResponse: range, put and delete answers in order', () => {
    const msg = enc('etcdserverpb.TxnResponse', {
      header,
      succeeded: true,
      responses: [
        { responsePut: { header } },
        { responseRange: { header, kvs: [kv('a', 12)], count: 1 } },
        { responseDeleteRange: { header, deleted: 1, prevKvs: [kv('c', 3)] } },
      ],
    });
    const r = readTxnResponse(msg);
    expect(r.succeeded).toBe(true);
    expect(r.header.revision).toBe(123456);
    expect(r.responses.map((x) => x.response)).toEqual(['responsePut', 'responseRange', 'responseDeleteRange']);
    expect(r.responses[1]!.responseRange!.kvs).toEqual([kv('a', 12)]);
    expect(r.responses[2]!.responseDeleteRange).toEqual({ header: r.header, deleted: 1, prevKvs: [kv('c', 3)] });
    expect(readTxnResponse(enc('etcdserverpb.TxnResponse', { header })).succeeded).toBe(false);
  });

  it('WatchResponse: events with and without prev_kv, watch id -1, cancel reason', () => {
    const msg = enc('etcdserverpb.WatchResponse', {
      header,
      watchId: 4,
      fragment: true,
      events: [{ type: 'PUT', kv: kv('a', 20), prevKv: kv('a', 19) }, { type: 'DELETE', kv: { key: b('b'), modRevision: 21 } }],
    });
    const r = readWatchResponse(msg);
    expect(r.watchId).toBe(4);
    expect(r.fragment).toBe(true);
    expect(r.events[0]).toEqual({ type: 'PUT', kv: kv('a', 20), prevKv: kv('a', 19) });
    expect(r.events[1]!.type).toBe('DELETE');
    expect(r.events[1]!.kv.modRevision).toBe(21);
    expect(r.events[1]!.kv.value.length).toBe(0);
    expect(r.events[1]!.prevKv).toBeNull();
    const progress = readWatchResponse(enc('etcdserverpb.WatchResponse', { header, watchId: -1 }));
    expect(progress.watchId).toBe(-1);
    const canceled = readWatchResponse(enc('etcdserverpb.WatchResponse', { header, watchId: 2, canceled: true, compactRevision: 77, cancelReason: 'mvcc: required revision has been compacted' }));
    expect(canceled).toMatchObject({ canceled: true, compactRevision: 77, cancelReason: 'mvcc: required revision has been compacted', created: false });
  });

  it('Status and lease answers', () => {
    const st = METHODS['Maintenance.Status']!.decode(enc('etcdserverpb.StatusResponse', { header, version: '3.4.23', dbSize: 20480, leader: '10276657743932975437', errors: ['NOSPACE'] }));
    expect(st).toMatchObject({ version: '3.4.23', errors: ['NOSPACE'] });
    expect((st as { leader: number }).leader).not.toBe(0);
    expect(METHODS['Lease.LeaseGrant']!.decode(enc('etcdserverpb.LeaseGrantResponse', { header, ID: 2 ** 52 + 3, TTL: 60 }))).toMatchObject({ ID: 2 ** 52 + 3, TTL: 60, error: '' });
    expect(METHODS['Lease.LeaseKeepAlive']!.decode(enc('etcdserverpb.LeaseKeepAliveResponse', { header, ID: 5 }))).toMatchObject({ ID: 5, TTL: 0 });
  });
});

describe('protobuf varints', () => {
  it.each([0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 5, 2 ** 53 - 1, -1, -2, -(2 ** 32), -(2 ** 40) - 3])('%d round-trips and matches protobufjs', (v) => {
    const w = new PbWriter();
    w.varint(v);
    const mine = w.finish();
    const theirs = Buffer.from(protobuf.Writer.create().int64(v).finish());
    expect(mine).toEqual(theirs);
    const r = new PbReader(mine);
    expect(r.varint()).toBe(v);
    expect(r.more()).toBe(false);
  });

  it('a nested message longer than 127 bytes gets its multi-byte length', () => {
    const w = new PbWriter();
    w.message(1, () => w.bytes(2, Buffer.alloc(20_000, 1)));
    const out = w.finish();
    const r = new PbReader(out);
    expect(r.varint()).toBe(0x0a);
    const [s, e] = r.span();
    expect(e - s).toBe(20_000 + 1 + 3);
    expect(e).toBe(out.length);
  });

  it('a truncated message is refused, not read past its end', () => {
    const full = Buffer.from(T('mvccpb.KeyValue').encode({ key: b('abc'), value: b('x'.repeat(50)) }).finish());
    expect(() => readRangeResponse(Buffer.concat([Buffer.from([0x12, full.length]), full.subarray(0, 20)]))).toThrow(/past/);
  });
});
