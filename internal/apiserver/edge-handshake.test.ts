import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EDGE_LIMITS, guardConnections } from './edge.js';

// The TLS handshake bound, on a plain TCP server guarded as a TLS one: no handshake ever finishes
// there, so every connection counts as a handshake in progress for as long as it is open.

const open: Socket[] = [];
let server: NetServer | undefined;
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function guarded(maxHandshakes: number, now: () => number) {
  server = createServer();
  const counters = guardConnections(server as unknown as Server, { ...DEFAULT_EDGE_LIMITS, maxHandshakes, handshakeGraceMs: 1000 }, true, now);
  const accepted: Socket[] = [];
  server.on('connection', (s) => accepted.push(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  /** Connects and waits until the server has seen the connection (accepted, possibly dropped). */
  const client = async () => {
    const seen = accepted.length;
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    open.push(s);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    for (let i = 0; accepted.length === seen; i++) {
      if (i > 500) throw new Error('the server did not see the connection');
      await new Promise((r) => setTimeout(r, 5));
    }
    return { s, closed, server: accepted.at(-1)! };
  };
  return { counters, client };
}

describe('TLS handshake bound', () => {
  it('at the bound drops the new connection while the handshakes in progress are young, and the oldest once it is stalled', async () => {
    let t = 0;
    const { counters, client } = await guarded(2, () => t);
    const a = await client();
    const b = await client();
    t = 500;
    // Two young handshakes in progress: the newcomer is the one dropped.
    const c = await client();
    await c.closed;
    expect(c.server.destroyed).toBe(true);
    expect(a.server.destroyed || b.server.destroyed).toBe(false);
    expect(counters.handshaking).toBe(2);
    // The oldest has now been handshaking past the grace: it counts as stalled and makes room.
    t = 1500;
    const d = await client();
    await a.closed;
    expect(b.server.destroyed || d.server.destroyed).toBe(false);
    expect(counters.handshaking).toBe(2);
    expect(counters.droppedConnections).toBe(2);
  });
});
