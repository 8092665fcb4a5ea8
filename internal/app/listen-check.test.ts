import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkListenFree } from './listen-check.js';

describe('checkListenFree', () => {
  it('passes a free port and port 0, and leaves the port free', async () => {
    const s = createServer().listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    await expect(checkListenFree('127.0.0.1', port, '--listen')).resolves.toBeUndefined();
    await expect(checkListenFree('127.0.0.1', port, '--listen')).resolves.toBeUndefined();
    await expect(checkListenFree('127.0.0.1', 0, '--listen')).resolves.toBeUndefined();
  });

  it('names the address and the flag when the port is taken', async () => {
    const s = createServer().listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as { port: number }).port;
    try {
      await expect(checkListenFree('127.0.0.1', port, '--peer-listen')).rejects.toThrow(`127.0.0.1:${port} (--peer-listen) is already in use by another process`);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('says when the address is not one of this machine', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a host.
    await expect(checkListenFree('192.0.2.10', 18443, '--listen')).rejects.toThrow(/not an address of this machine; fix --listen/);
  });
});
