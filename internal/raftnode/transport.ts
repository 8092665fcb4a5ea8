import type { Message, NodeId } from '../raft/index.js';
import { ByteReader, ByteWriter, CodecError, readMessage, writeMessage } from './codec.js';

/** Receives frames from peers, in the order each peer sent them. */
export type FrameHandler = (from: NodeId, frame: Uint8Array) => void;

/**
 * Told when an established connection to or from `peer` closed (reset, FIN, or refused on re-dial
 * right after). Evidence that the peer process is gone, not proof: the driver may use it to stop
 * trusting a leader early (RaftCore.forgetLeader), never for anything safety depends on. A peer that
 * vanishes without closing its sockets (power loss, a cut cable) is reported late or never; the
 * election timeout covers that case.
 */
export type PeerLostHandler = (peer: NodeId) => void;

/**
 * Moves opaque frames between nodes. Per peer, frames arrive in order, at most once (a stream such
 * as a websocket); frames may be lost when a connection drops. Implementations: the websocket
 * transport (ws-transport.ts) and the in-memory one for tests (memory-transport.ts).
 */
export interface Transport {
  /** Starts delivering incoming frames to `handler`, and lost connections to `peerLost`. */
  start(handler: FrameHandler, peerLost?: PeerLostHandler): void;
  /**
   * Queues a frame for `to`. Never blocks. false when it cannot be queued now (no connection, or its
   * buffer is over the limit): the driver then reports the peer unreachable to the core.
   */
  send(to: NodeId, frame: Uint8Array): boolean;
  /** Resolves once the queue to `to` is below its high-water mark (for streaming snapshots); rejects when the connection is gone. */
  drained(to: NodeId): Promise<void>;
  /** Addresses of the current members (from the committed configuration), this node excluded. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void;
  /** Drops connections and stops delivering. */
  close(): Promise<void>;
  /**
   * Optional: a reply from `peer` to one of this node's messages arrived (an append or heartbeat
   * response, a vote, a read index), so the connection to `peer` delivered lately. A transport that
   * probes idle connections (ws pings) may skip the next probe; nothing else depends on it.
   */
  replied?(peer: NodeId): void;
  /**
   * Optional: peers this node cannot connect to now, with the last error and since when (epoch ms),
   * for `kplane status` and readiness texts. A peer connected at least once and then lost counts
   * from the loss; one never reached counts from the first attempt.
   */
  unreachable?(): Map<NodeId, PeerUnreachable>;
}

export interface PeerUnreachable {
  error: string;
  since: number;
}

/** Frame kinds, the first byte of every frame. */
export const enum FrameKind {
  Messages = 1,
  SnapshotBegin = 2,
  SnapshotChunk = 3,
  SnapshotEnd = 4,
}

export type Frame =
  | { kind: FrameKind.Messages; messages: Message[] }
  | { kind: FrameKind.SnapshotBegin; index: number; term: number; size: number; sha256: string }
  | { kind: FrameKind.SnapshotChunk; data: Uint8Array }
  | { kind: FrameKind.SnapshotEnd; message: Message };

export function encodeFrame(f: Frame): Uint8Array {
  const w = new ByteWriter(f.kind === FrameKind.SnapshotChunk ? f.data.length + 16 : 256);
  w.u8(f.kind);
  switch (f.kind) {
    case FrameKind.Messages:
      w.u32(f.messages.length);
      for (const m of f.messages) writeMessage(w, m);
      break;
    case FrameKind.SnapshotBegin:
      w.f64(f.index).f64(f.term).f64(f.size).str(f.sha256);
      break;
    case FrameKind.SnapshotChunk:
      w.bytes(f.data);
      break;
    case FrameKind.SnapshotEnd:
      writeMessage(w, f.message);
      break;
  }
  return w.finish();
}

export function decodeFrame(b: Uint8Array): Frame {
  const r = new ByteReader(b);
  const kind = r.u8() as FrameKind;
  let f: Frame;
  switch (kind) {
    case FrameKind.Messages: {
      const messages: Message[] = [];
      for (let n = r.u32(); n > 0; n--) messages.push(readMessage(r));
      f = { kind, messages };
      break;
    }
    case FrameKind.SnapshotBegin:
      f = { kind, index: r.f64(), term: r.f64(), size: r.f64(), sha256: r.str() };
      break;
    case FrameKind.SnapshotChunk:
      f = { kind, data: r.bytes() };
      break;
    case FrameKind.SnapshotEnd:
      f = { kind, message: readMessage(r) };
      break;
    default:
      throw new CodecError(`unknown frame kind ${String(kind)}`);
  }
  if (!r.done) throw new CodecError('trailing bytes after frame');
  return f;
}
