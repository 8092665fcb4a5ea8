import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createServer, type Server } from 'node:https';
import WebSocket, { WebSocketServer } from 'ws';
import type { NodeId } from '../raft/index.js';
import type { RaftNodeLogger } from './engine.js';
import type { FrameHandler, PeerLostHandler, PeerUnreachable, Transport } from './transport.js';

/** The websocket path of the Raft transport on the API port. */
export const RAFT_PATH = '/kplane/raft';
/** Organization (O) of node certificates: only these may speak Raft. */
export const NODE_GROUP = 'kplane:nodes';
/** Common name (CN) of node `id`'s certificate. */
export const nodeCommonName = (id: NodeId): string => `kplane-node-${id}`;
/** Handshake header, on the upgrade request and on its response: the sender's cluster id. */
export const CLUSTER_ID_HEADER = 'x-kplane-cluster-id';
/** Close code of a connection refused because the peer belongs to another cluster. */
export const CLOSE_OTHER_CLUSTER = 4409;
/** How often the same refusal is logged again while the other side keeps re-dialing. */
const REFUSAL_LOG_MS = 60_000;

/**
 * Why a peer that presented cluster id `theirs` must be refused, or undefined when it may talk to
 * us. Node certificates only prove a peer was once admitted by this CA; after `kplane recover` or
 * `kplane snapshot restore` the new cluster keeps the CA but gets a new id, so an old member started
 * with its old data is told apart here. A side without an id (a kplane from before cluster ids,
 * during a rolling upgrade) is accepted: there is nothing to compare.
 */
export function clusterIdMismatch(ours: string | undefined, theirs: string | undefined): string | undefined {
  if (!ours || !theirs || ours === theirs) return undefined;
  return `cluster id mismatch: this node is in cluster ${ours}, the peer in cluster ${theirs}`;
}

export interface WsTransportOptions {
  id: NodeId;
  /** This node's certificate (clientAuth, CN = nodeCommonName(id), O = NODE_GROUP) and the cluster CA. */
  tls: { key: string | Buffer; cert: string | Buffer; ca: string | Buffer };
  /**
   * This cluster's id, sent in the handshake both ways; a peer presenting another one is refused on
   * both sides (clusterIdMismatch). Unset: nothing is sent or checked (tests, older data dirs).
   */
  clusterId?: string;
  /** Refuse new frames to a peer while more than this many bytes wait on its socket. Default 16 MiB. */
  highWaterBytes?: number;
  /**
   * Ping interval; a peer that misses two pongs is disconnected (a partition sends no RST). Default
   * 1000 ms. No ping goes to a peer that replied to our messages since the last check (replied()):
   * a leader's heartbeats are answered every heartbeat, which proves as much as a pong.
   */
  pingMs?: number;
  logger?: RaftNodeLogger;
}

interface Outbound {
  url: string;
  /** Logged once per outage, not on every retry. */
  warned: boolean;
  /** When a cluster id refusal of this peer was last logged (0: never). */
  refusedLoggedAt: number;
  ws?: WebSocket;
  open: boolean;
  retryMs: number;
  retry?: NodeJS.Timeout;
  ping?: NodeJS.Timeout;
  alive: boolean;
  /** A reply to our messages came back since the last ping check (Transport.replied). */
  replied: boolean;
  /** While not connected: the last dial error, and since when the peer has been out of reach. */
  lastError?: string;
  downSince?: number;
}

/**
 * Raft transport over websockets on the API port with mutual TLS. Each node dials every peer once
 * and sends its frames on that connection; it receives on the connections its peers dialed (the
 * fastify route below). Frames to a peer that is not connected are refused (send returns false), so
 * the core marks it unreachable and retries on its own schedule; connections are re-dialed with
 * backoff. Binary websocket messages preserve frame boundaries and order per connection.
 */
export class WsTransport implements Transport {
  private handler: FrameHandler | undefined;
  private peerLost: PeerLostHandler | undefined;
  private readonly out = new Map<NodeId, Outbound>();
  private readonly inbound = new Set<WebSocket>();
  private closed = false;
  private readonly highWater: number;
  private readonly pingMs: number;
  /** Inbound refusals by peer and cluster id → when last logged (a stale member re-dials every 2 s). */
  private readonly refusalsLogged = new Map<string, number>();

  constructor(private readonly opts: WsTransportOptions) {
    this.highWater = opts.highWaterBytes ?? 16 << 20;
    this.pingMs = opts.pingMs ?? 1000;
  }

  start(handler: FrameHandler, peerLost?: PeerLostHandler): void {
    this.handler = handler;
    this.peerLost = peerLost;
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    for (const [id, o] of this.out) {
      const addr = peers.get(id);
      if (addr === undefined || wsUrl(addr) !== o.url) this.drop(id);
    }
    for (const [id, addr] of peers) {
      if (id === this.opts.id || this.out.has(id)) continue;
      const o: Outbound = { url: wsUrl(addr), warned: false, refusedLoggedAt: 0, open: false, retryMs: 100, alive: true, replied: false };
      this.out.set(id, o);
      this.dial(id, o);
    }
  }

  send(to: NodeId, frame: Uint8Array): boolean {
    const o = this.out.get(to);
    if (!o?.open || !o.ws || o.ws.bufferedAmount > this.highWater) return false;
    o.ws.send(frame, { binary: true });
    return true;
  }

  replied(peer: NodeId): void {
    const o = this.out.get(peer);
    if (o?.open) o.replied = true;
  }

  unreachable(): Map<NodeId, PeerUnreachable> {
    const out = new Map<NodeId, PeerUnreachable>();
    for (const [id, o] of this.out) if (!o.open && o.downSince !== undefined) out.set(id, { error: o.lastError ?? 'not connected', since: o.downSince });
    return out;
  }

  async drained(to: NodeId): Promise<void> {
    for (;;) {
      const o = this.out.get(to);
      if (!o?.open || !o.ws) throw new Error(`no connection to node ${to}`);
      if (o.ws.bufferedAmount < this.highWater / 4) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** This node's cluster id, sent in the handshake (the server side adds it to its upgrade responses). */
  get clusterId(): string | undefined {
    return this.opts.clusterId;
  }

  /**
   * Takes an inbound connection from peer `from` (already authenticated by its certificate), which
   * presented `peerClusterId` in its upgrade request. A peer of another cluster is closed with
   * CLOSE_OTHER_CLUSTER before any frame of it is read.
   */
  accept(from: NodeId, socket: WebSocket, peerClusterId?: string): void {
    if (this.closed) return socket.close(1001, 'shutting down');
    const refused = clusterIdMismatch(this.opts.clusterId, peerClusterId);
    if (refused) {
      const key = `${from}/${peerClusterId}`;
      const now = Date.now();
      if (now - (this.refusalsLogged.get(key) ?? 0) >= REFUSAL_LOG_MS) {
        this.refusalsLogged.set(key, now);
        this.opts.logger?.warn(`raft peer ${from} refused: ${refused} (an old member started with old data? wipe its data dir and join it again)`, {
          peer: from,
          clusterId: this.opts.clusterId,
          peerClusterId,
        });
      }
      return socket.close(CLOSE_OTHER_CLUSTER, refusalReason(this.opts.clusterId));
    }
    this.inbound.add(socket);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || !this.handler) return;
      this.handler(from, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    socket.on('close', () => {
      this.inbound.delete(socket);
      // The peer's process closed its end (a kill -9 closes every socket at once): tell the driver.
      if (!this.closed) this.peerLost?.(from);
    });
    socket.on('error', () => socket.terminate());
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.out.keys()]) this.drop(id);
    for (const s of this.inbound) s.terminate();
    this.inbound.clear();
  }

  private dial(id: NodeId, o: Outbound): void {
    if (this.closed || this.out.get(id) !== o) return;
    const ws = new WebSocket(o.url, {
      key: this.opts.tls.key,
      cert: this.opts.tls.cert,
      ca: this.opts.tls.ca,
      perMessageDeflate: false,
      handshakeTimeout: 2000,
      headers: this.opts.clusterId ? { [CLUSTER_ID_HEADER]: this.opts.clusterId } : {},
    });
    o.ws = ws;
    // The server's id comes back on the upgrade response: a peer of another cluster is refused here
    // too, even if it would accept us (it may run a kplane that does not check).
    let refused: string | undefined;
    ws.on('upgrade', (res) => (refused = clusterIdMismatch(this.opts.clusterId, headerValue(res.headers[CLUSTER_ID_HEADER]))));
    ws.on('open', () => {
      if (refused) {
        this.logRefusal(id, o, refused);
        return ws.close(CLOSE_OTHER_CLUSTER, refusalReason(this.opts.clusterId));
      }
      o.open = true;
      o.warned = false;
      o.lastError = undefined;
      o.downSince = undefined;
      o.retryMs = 100;
      o.alive = true;
      o.replied = false;
      o.ping = setInterval(() => {
        // Replies to our messages since the last check: this connection delivers, as a pong would show.
        if (o.replied) {
          o.replied = false;
          o.alive = true;
          return;
        }
        if (!o.alive) return ws.terminate();
        o.alive = false;
        ws.ping();
      }, this.pingMs);
    });
    ws.on('pong', () => (o.alive = true));
    // The peer never sends on this connection; anything else would be a protocol error.
    ws.on('message', () => ws.terminate());
    ws.on('error', (err) => {
      if (!o.open) {
        o.lastError = err.message;
        o.downSince ??= Date.now();
      }
      if (o.open || o.warned) return;
      o.warned = true;
      this.opts.logger?.warn('raft peer unreachable (retrying)', { peer: id, url: o.url, err: err.message });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      // Refused by the peer for our cluster id: its reason names its cluster.
      if (code === CLOSE_OTHER_CLUSTER && !refused) this.logRefusal(id, o, `${reason.toString('utf8')}; this node is in cluster ${this.opts.clusterId ?? '(none)'}`);
      const wasOpen = o.open;
      o.open = false;
      o.downSince ??= Date.now();
      if (wasOpen) o.lastError = `connection lost (code ${code})`;
      clearInterval(o.ping);
      if (this.closed || this.out.get(id) !== o) return;
      // Only an established connection counts as a loss; failed re-dials to a dead peer are not news.
      if (wasOpen) this.peerLost?.(id);
      o.retry = setTimeout(() => this.dial(id, o), o.retryMs);
      o.retryMs = Math.min(o.retryMs * 2, 2000);
    });
  }

  private logRefusal(id: NodeId, o: Outbound, why: string): void {
    const now = Date.now();
    if (now - o.refusedLoggedAt < REFUSAL_LOG_MS) return;
    o.refusedLoggedAt = now;
    this.opts.logger?.warn(`raft peer ${id} at ${o.url} refused: ${why} (an old member started with old data? wipe its data dir and join it again)`, {
      peer: id,
      clusterId: this.opts.clusterId,
    });
  }

  private drop(id: NodeId): void {
    const o = this.out.get(id);
    if (!o) return;
    this.out.delete(id);
    clearTimeout(o.retry);
    clearInterval(o.ping);
    o.ws?.terminate();
  }
}

/** The close reason of a refusal; the other side logs it (close frames hold at most 123 bytes). */
function refusalReason(ours: string | undefined): string {
  return `cluster id mismatch: the refusing node is in cluster ${ours ?? '(none)'}`.slice(0, 123);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Adds this node's cluster id to the responses of Raft upgrades on `wss`. */
function announceClusterId(wss: WebSocketServer, transport: WsTransport): void {
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    if (transport.clusterId && (req.url ?? '').startsWith(RAFT_PATH)) headers.push(`${CLUSTER_ID_HEADER}: ${transport.clusterId}`);
  });
}

function wsUrl(address: string): string {
  return `${address.replace(/^http/, 'ws').replace(/\/+$/, '')}${RAFT_PATH}`;
}

/** The node id a verified client certificate speaks for, or undefined. */
export function peerNodeId(req: IncomingMessage): NodeId | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const subject = socket.getPeerCertificate()?.subject;
  if (!subject) return undefined;
  const orgs = ([] as string[]).concat(subject.O ?? []);
  const cn = ([] as string[]).concat(subject.CN ?? [])[0];
  const m = /^kplane-node-(\d+)$/.exec(cn ?? '');
  if (!orgs.includes(NODE_GROUP) || !m) return undefined;
  return Number(m[1]);
}

/**
 * Registers the server side on the API server (before it listens): GET RAFT_PATH upgrades to a
 * websocket only for a client certificate that the cluster CA verified and that names a node
 * (O = NODE_GROUP); anything else is closed with 4403. Requires @fastify/websocket on `app` and a
 * TLS server that requests client certificates.
 */
export function registerRaftTransport(app: FastifyInstance, transport: WsTransport): void {
  announceClusterId(app.websocketServer, transport);
  app.route({
    method: 'GET',
    url: RAFT_PATH,
    handler: async (_req: FastifyRequest, reply: FastifyReply) => reply.code(426).send({ message: 'websocket upgrade required' }),
    wsHandler: (socket: WebSocket, req: FastifyRequest) => {
      const from = peerNodeId(req.raw);
      if (from === undefined) return socket.close(4403, 'a node certificate is required');
      transport.accept(from, socket, headerValue(req.headers[CLUSTER_ID_HEADER]));
    },
  });
}

/**
 * A peer listener of its own (`--peer-listen`; the engine worker uses it so Raft traffic never
 * waits on the API thread): HTTPS that requires a client certificate from the cluster CA, with the
 * websocket endpoint at RAFT_PATH. The node certificate serves here as well.
 */
export function listenRaftPeers(at: { host: string; port: number }, tls: { key: string; cert: string; ca: string }, transport: WsTransport): Server {
  const server = createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true });
  const wss = new WebSocketServer({ server, path: RAFT_PATH, perMessageDeflate: false });
  announceClusterId(wss, transport);
  wss.on('connection', (socket, req) => {
    const from = peerNodeId(req);
    if (from === undefined) return socket.close(4403, 'a node certificate is required');
    transport.accept(from, socket, headerValue(req.headers[CLUSTER_ID_HEADER]));
  });
  server.on('close', () => wss.close());
  server.listen(at.port, at.host);
  return server;
}
