// Message channels the remote backend runs over: a websocket with mutual TLS to a member's API port
// (production), or an in-memory pair (tests).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import WebSocket from 'ws';
import { CLUSTER_ID_HEADER, clusterIdMismatch, peerNodeId } from '../../raftnode/index.js';

/** One bidirectional, ordered message stream. Messages sent after close are dropped. */
export interface RpcChannel {
  send(text: string): void;
  onMessage(fn: (text: string) => void): void;
  /** Called once when the channel is gone (either side closed it, or the connection broke). */
  onClose(fn: () => void): void;
  /** Bytes queued for the peer and not yet written (flow control for watch streams). */
  bufferedBytes(): number;
  close(): void;
}

/** The path of the backend service on a member's API port. */
export const BACKEND_PATH = '/kplane/backend';

/** Wraps a websocket (either end) as a channel. */
export function wsChannel(ws: WebSocket): RpcChannel {
  const closers: (() => void)[] = [];
  let closed = false;
  const fire = () => {
    if (closed) return;
    closed = true;
    for (const f of closers) f();
  };
  ws.on('close', fire);
  ws.on('error', () => {
    ws.terminate();
    fire();
  });
  return {
    send: (text) => {
      if (!closed && ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    onMessage: (fn) => ws.on('message', (data: Buffer, isBinary: boolean) => !isBinary && fn(data.toString('utf8'))),
    onClose: (fn) => (closed ? fn() : closers.push(fn)),
    bufferedBytes: () => ws.bufferedAmount,
    close: () => {
      ws.terminate();
      fire();
    },
  };
}

/**
 * Dials a member's backend service (`https://host:port` of its API) with this node's certificate.
 * Rejects when the connection is not up within timeoutMs (a dead member costs at most that).
 */
export function dialBackend(apiUrl: string, tls: { key: string; cert: string; ca: string }, timeoutMs = 3000, clusterId?: string): Promise<RpcChannel> {
  const url = `${apiUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}${BACKEND_PATH}`;
  return new Promise((resolve, reject) => {
    const headers = clusterId ? { [CLUSTER_ID_HEADER]: clusterId } : {};
    const ws = new WebSocket(url, { key: tls.key, cert: tls.cert, ca: tls.ca, headers, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    // A member that vanished without closing its sockets (power loss) misses two pongs and is
    // dropped: pending reads retry elsewhere and watches resume on the next member.
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 1000);
    ws.once('open', () => resolve(wsChannel(ws)));
    ws.once('error', (err) => reject(err));
    ws.once('close', () => {
      clearInterval(ping);
      reject(new Error(`connection to ${url} closed`));
    });
  });
}

/**
 * Registers the backend service on a member's API server: GET BACKEND_PATH upgrades to a websocket
 * for a client certificate the cluster CA verified as a node's, naming no other cluster id than
 * `clusterId` (the Raft transport's header and rule: an old member after `recover` shares the CA),
 * and hands it to `serve` with the caller's node id; anything else is closed with 4403 and the reason.
 */
export function registerBackendService(app: FastifyInstance, clusterId: string | undefined, serve: (ch: RpcChannel, nodeId: number) => void): void {
  app.route({
    method: 'GET',
    url: BACKEND_PATH,
    handler: async (_req: FastifyRequest, reply: FastifyReply) => reply.code(426).send({ message: 'websocket upgrade required' }),
    wsHandler: (socket: WebSocket, req: FastifyRequest) => {
      const nodeId = peerNodeId(req.raw);
      if (nodeId === undefined) return socket.close(4403, 'a node certificate is required');
      const theirs = req.headers[CLUSTER_ID_HEADER];
      const refusal = clusterIdMismatch(clusterId, Array.isArray(theirs) ? theirs[0] : theirs);
      if (refusal) return socket.close(4403, refusal.slice(0, 123)); // close reasons hold 123 bytes
      serve(wsChannel(socket), nodeId);
    },
  });
}

/** Two connected in-memory channels (tests); `cut()` breaks the connection as a crash would. */
export function memoryChannelPair(): { client: RpcChannel; server: RpcChannel; cut(): void } {
  type End = { handlers: ((t: string) => void)[]; closers: (() => void)[] };
  const a: End = { handlers: [], closers: [] };
  const b: End = { handlers: [], closers: [] };
  let closed = false;
  const cut = () => {
    if (closed) return;
    closed = true;
    for (const f of [...a.closers, ...b.closers]) queueMicrotask(f);
  };
  const end = (self: End, peer: End): RpcChannel => ({
    send: (text) => {
      if (!closed) setImmediate(() => !closed && peer.handlers.forEach((h) => h(text)));
    },
    onMessage: (fn) => self.handlers.push(fn),
    onClose: (fn) => (closed ? queueMicrotask(fn) : self.closers.push(fn)),
    bufferedBytes: () => 0,
    close: cut,
  });
  return { client: end(a, b), server: end(b, a), cut };
}
