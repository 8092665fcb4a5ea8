import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../raft/index.js';
import { CodecError, decodeEnvelope, encodeEnvelope, peekEnvelope } from './codec.js';
import { SnapshotFiles, SnapshotReceiver, encodeDescriptor, imageName, sendSnapshot } from './snapshots.js';
import { FrameKind, decodeFrame, encodeFrame, type Frame, type Transport } from './transport.js';

const msg = (over: Partial<Message> = {}): Message => ({
  type: 'app',
  from: 1,
  to: 2,
  term: 7,
  logTerm: 6,
  index: 41,
  entries: [
    { term: 7, index: 42, type: 'normal', data: new Uint8Array([1, 2, 3]) },
    { term: 7, index: 43, type: 'confChange', data: new Uint8Array() },
  ],
  commit: 40,
  reject: false,
  rejectHint: 0,
  ...over,
});

describe('frames and envelopes', () => {
  it('round-trips messages with entries, snapshots and contexts', () => {
    const m1 = msg();
    const m2 = msg({ type: 'heartbeatResp', entries: [], context: new Uint8Array([9, 9]), reject: true, rejectHint: 12 });
    const m3 = msg({ type: 'snap', entries: [], snapshot: { metadata: { index: 100, term: 5, confState: { voters: [1, 2, 3], learners: [4] } }, data: new Uint8Array([7]) } });
    const f = decodeFrame(encodeFrame({ kind: FrameKind.Messages, messages: [m1, m2, m3] }));
    expect(f).toEqual({ kind: FrameKind.Messages, messages: [m1, m2, m3] });
  });

  it('carries noAck in the flags byte beside reject, readable by a reader that knows only reject', () => {
    const m = msg({ entries: [], noAck: true });
    const bytes = encodeFrame({ kind: FrameKind.Messages, messages: [m, msg({ reject: true, rejectHint: 3 })] });
    const f = decodeFrame(bytes);
    expect(f).toEqual({ kind: FrameKind.Messages, messages: [m, msg({ reject: true, rejectHint: 3 })] });
    if (f.kind !== FrameKind.Messages) throw new Error('unreachable');
    expect([f.messages[0]!.noAck, f.messages[0]!.reject, f.messages[1]!.noAck, f.messages[1]!.reject]).toEqual([true, false, undefined, true]);
    // An older reader tested the byte for === 1: the noAck-only byte (2) still reads as no reject.
    const flagsAt = 1 + 4 + 1 + 6 * 8;
    expect([bytes[flagsAt], bytes[flagsAt] === 1]).toEqual([2, false]);
  });

  it('rejects truncated, trailing or unknown input instead of guessing', () => {
    const bytes = encodeFrame({ kind: FrameKind.Messages, messages: [msg()] });
    expect(() => decodeFrame(bytes.subarray(0, bytes.length - 1))).toThrow(CodecError);
    expect(() => decodeFrame(new Uint8Array([...bytes, 0]))).toThrow(CodecError);
    expect(() => decodeFrame(new Uint8Array([99]))).toThrow(CodecError);
  });

  it('carries the proposer and batch id ahead of the commands', () => {
    const data = encodeEnvelope({ origin: 3, batch: 2 ** 45 + 7, commands: [new Uint8Array([1]), new Uint8Array(0)] });
    expect(peekEnvelope(data)).toEqual({ origin: 3, batch: 2 ** 45 + 7 });
    const env = decodeEnvelope(data);
    expect(env.commands.map((c) => [...c])).toEqual([[1], []]);
  });
});

describe('snapshot streaming', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-snapstream-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function stream(corrupt: boolean): Promise<{ got: Message[]; errors: string[]; recv: SnapshotFiles }> {
    const send = new SnapshotFiles(join(dir, 'send'));
    const recv = new SnapshotFiles(join(dir, 'recv'));
    const image = Buffer.alloc(10_000, 'x');
    writeFileSync(join(dir, 'tmp.part'), image);
    const sealed = await send.seal(join(dir, 'tmp.part'), 50);
    const got: Message[] = [];
    const errors: string[] = [];
    const receiver = new SnapshotReceiver(recv, (m) => got.push(m), (_, e) => errors.push(e.message));
    const transport: Transport = {
      start() {},
      setPeers() {},
      async close() {},
      async drained() {},
      send(_to, frame) {
        const f: Frame = decodeFrame(frame);
        if (corrupt && f.kind === FrameKind.SnapshotChunk) f.data[0] = 0x79;
        receiver.handle(1, f);
        return true;
      },
    };
    const m = msg({ type: 'snap', entries: [], snapshot: { metadata: { index: 50, term: 3, confState: { voters: [1, 2], learners: [] } }, data: encodeDescriptor({ ...sealed, members: [] }) } });
    expect(await sendSnapshot(send, transport, m, { ...sealed, members: [] }, 1024)).toBe(true);
    return { got, errors, recv };
  }

  it('delivers the snap message only after the whole image arrived, verified and renamed', async () => {
    const { got, errors, recv } = await stream(false);
    expect(errors).toEqual([]);
    expect(got.map((m) => m.snapshot!.metadata.index)).toEqual([50]);
    expect(readFileSync(recv.path(imageName(50))).length).toBe(10_000);
  });

  it('drops a stream whose checksum does not match, and keeps no file', async () => {
    const { got, errors, recv } = await stream(true);
    expect(got).toEqual([]);
    expect(errors[0]).toMatch(/sha256/);
    expect(existsSync(recv.path(imageName(50)))).toBe(false);
  });
});

describe('SnapshotFiles.prune', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-prune-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes only images older than the current snapshot that are not kept', () => {
    const files = new SnapshotFiles(dir);
    for (const i of [10, 20, 30, 40, 50]) writeFileSync(files.path(imageName(i)), 'x');
    writeFileSync(files.path('other.db'), 'x');
    // Current snapshot 30 keeps 20 (the previous one); 40 and 50 may be received or being sealed.
    files.prune(30, new Set([imageName(20)]));
    const left = [10, 20, 30, 40, 50].filter((i) => existsSync(files.path(imageName(i))));
    expect(left).toEqual([20, 30, 40, 50]);
    expect(existsSync(files.path('other.db'))).toBe(true);
  });
});
