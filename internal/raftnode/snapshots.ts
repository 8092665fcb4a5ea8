import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message, NodeId } from '../raft/index.js';
import { fsyncPath } from '../util/index.js';
import { encodeFrame, FrameKind, type Frame, type Transport } from './transport.js';

/**
 * What the core carries as Snapshot.data: not the state image itself (that can be large and is
 * streamed in chunks beside the Raft messages) but a description of it, plus the member addresses
 * as of the snapshot (membership comes only from the committed configuration, and the conf-change
 * entries that carried the addresses are gone once the log is compacted).
 */
export interface SnapshotDescriptor {
  /** Image file name in the snapshots folder; null = the empty state (bootstrap snapshot). */
  file: string | null;
  size: number;
  sha256: string;
  members: [NodeId, string][];
  /** Failure domains members declared (absent in older descriptors). */
  domains?: [NodeId, string][];
  /** Spares (id, peer address) as of the snapshot: recorded nodes with no replica (absent = none). */
  spares?: [NodeId, string][];
}

export function encodeDescriptor(d: SnapshotDescriptor): Uint8Array {
  return Buffer.from(JSON.stringify(d), 'utf8');
}

export function decodeDescriptor(data: Uint8Array): SnapshotDescriptor {
  if (data.length === 0) return { file: null, size: 0, sha256: '', members: [] };
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as SnapshotDescriptor;
}

export const imageName = (index: number): string => `snap-${String(index).padStart(16, '0')}.db`;

/** The index an image file name carries; undefined for other files. */
export function imageIndex(file: string): number | undefined {
  const m = /^snap-(\d{16})\.db$/.exec(file);
  return m ? Number(m[1]) : undefined;
}


/** The snapshots folder: finished images named by index, partial downloads, cleanup. */
export class SnapshotFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Partial files from a crash mid-transfer or mid-backup are useless.
    for (const f of readdirSync(dir)) if (f.endsWith('.part')) rmSync(join(dir, f), { force: true });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  tempPath(tag: string): string {
    return join(this.dir, `${tag}-${process.pid}-${Date.now()}.part`);
  }

  /** Makes a finished temp image durable under its final name; returns its size and checksum. */
  async seal(tempPath: string, index: number): Promise<{ file: string; size: number; sha256: string }> {
    fsyncPath(tempPath);
    const file = imageName(index);
    renameSync(tempPath, this.path(file));
    fsyncPath(this.dir);
    const sha256 = await hashFile(this.path(file));
    return { file, size: statSync(this.path(file)).size, sha256 };
  }

  /**
   * Deletes images older than `current` (the log's snapshot index) that are not named in `keep`.
   * Images at or above it are never touched: one may be a received image the core has not installed
   * yet, or one this node is sealing while a received snapshot is installed; deleting either left the
   * log pointing at a missing file (an empty "schema 0" image on the next install). A sender
   * streaming an older image holds its fd open.
   */
  prune(current: number, keep: ReadonlySet<string>): void {
    for (const f of readdirSync(this.dir)) {
      const index = imageIndex(f);
      if (index !== undefined && index < current && !keep.has(f)) rmSync(join(this.dir, f), { force: true });
    }
  }
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Streams an image to a peer: Begin, chunks (waiting for the link to drain between them), then End
 * carrying the core's snap message. The receiver checks size and SHA-256 before the core sees it.
 * Resolves false when the link fails; the core is told either way (reportSnapshot).
 */
export async function sendSnapshot(files: SnapshotFiles, transport: Transport, msg: Message, d: SnapshotDescriptor, chunkBytes: number): Promise<boolean> {
  const to = msg.to;
  const snap = msg.snapshot!;
  const send = (f: Frame): boolean => transport.send(to, encodeFrame(f));
  try {
    if (!send({ kind: FrameKind.SnapshotBegin, index: snap.metadata.index, term: snap.metadata.term, size: d.size, sha256: d.sha256 })) return false;
    if (d.file) {
      const fh = await openAsync(files.path(d.file), 'r');
      try {
        const buf = Buffer.alloc(chunkBytes);
        for (let pos = 0; pos < d.size; ) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(chunkBytes, d.size - pos), pos);
          if (bytesRead === 0) return false;
          pos += bytesRead;
          if (!send({ kind: FrameKind.SnapshotChunk, data: buf.subarray(0, bytesRead) })) return false;
          await transport.drained(to);
        }
      } finally {
        await fh.close();
      }
    }
    return send({ kind: FrameKind.SnapshotEnd, message: msg });
  } catch {
    return false;
  }
}

interface Incoming {
  index: number;
  size: number;
  sha256: string;
  temp: string;
  fd: number;
  written: number;
  hash: Hash;
}

/**
 * Reassembles images streamed by sendSnapshot, one transfer per sending peer at a time. A completed,
 * verified image is fsynced and renamed to its final name (the same name the sender uses) before its
 * snap message is handed on, so the core only ever installs a durable, checked image.
 */
export class SnapshotReceiver {
  private readonly incoming = new Map<NodeId, Incoming>();

  constructor(
    private readonly files: SnapshotFiles,
    private readonly onMessage: (m: Message) => void,
    private readonly onError: (from: NodeId, err: Error) => void,
  ) {}

  handle(from: NodeId, f: Frame): void {
    try {
      this.handleUnsafe(from, f);
    } catch (err) {
      this.abort(from);
      this.onError(from, err as Error);
    }
  }

  private handleUnsafe(from: NodeId, f: Frame): void {
    if (f.kind === FrameKind.SnapshotBegin) {
      this.abort(from);
      const temp = this.files.tempPath(`recv-${from}`);
      const fd = openSync(temp, 'w', 0o600);
      this.incoming.set(from, { index: f.index, size: f.size, sha256: f.sha256, temp, fd, written: 0, hash: createHash('sha256') });
      return;
    }
    const inc = this.incoming.get(from);
    if (f.kind === FrameKind.SnapshotChunk) {
      if (!inc) return; // the Begin was lost with an old connection; the sender will retry
      if (inc.written + f.data.length > inc.size) throw new Error(`snapshot from ${from}: more bytes than announced (${inc.size})`);
      writeSync(inc.fd, f.data);
      inc.hash.update(f.data);
      inc.written += f.data.length;
      return;
    }
    if (f.kind !== FrameKind.SnapshotEnd) return;
    const snap = f.message.snapshot;
    if (!snap) throw new Error(`snapshot from ${from}: end frame without a snapshot`);
    const d = decodeDescriptor(snap.data);
    if (d.file !== null) {
      if (!inc || inc.index !== snap.metadata.index) throw new Error(`snapshot from ${from}: end of ${snap.metadata.index} without its data`);
      this.incoming.delete(from);
      fsyncSync(inc.fd);
      closeSync(inc.fd);
      const sha = inc.hash.digest('hex');
      if (inc.written !== inc.size || sha !== inc.sha256 || d.file !== imageName(snap.metadata.index)) {
        rmSync(inc.temp, { force: true });
        throw new Error(`snapshot ${snap.metadata.index} from ${from}: got ${inc.written}/${inc.size} bytes, sha256 ${sha} (want ${inc.sha256})`);
      }
      renameSync(inc.temp, this.files.path(d.file));
      fsyncPath(this.files.dir);
    } else {
      this.abort(from);
    }
    this.onMessage(f.message);
  }

  private abort(from: NodeId): void {
    const inc = this.incoming.get(from);
    if (!inc) return;
    this.incoming.delete(from);
    try {
      closeSync(inc.fd);
    } catch {
      // already closed
    }
    rmSync(inc.temp, { force: true });
  }

  close(): void {
    for (const from of [...this.incoming.keys()]) this.abort(from);
  }
}
