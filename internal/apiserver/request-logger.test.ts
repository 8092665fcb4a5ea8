import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('lazyRequestLogger', () => {
  it('makes no pino child for a request that logs nothing, and logs with the request id when one does', async () => {
    const { lines, logger } = capture();
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyRequestLogger, logController: new LogController({ disableRequestLogging: true }) });
    app.get('/quiet', async () => 'ok');
    app.get('/loud', async (request) => {
      request.log.warn({ k: 1 }, 'something');
      request.log.debug('below the level');
      return 'ok';
    });
    await app.ready();
    const child = vi.spyOn(logger, 'child');
    expect((await app.inject('/quiet')).statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect((await app.inject('/loud')).statusCode).toBe(200);
    expect(child).toHaveBeenCalledTimes(1);
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, k: 1, msg: 'something', reqId: expect.any(String) });
    await app.close();
  });

  it('reads and sets the level as a pino child would', () => {
    const { logger } = capture();
    const l = lazyRequestLogger(logger, { reqId: 'r' }, {});
    expect(l.level).toBe('info');
    l.level = 'warn';
    expect(l.level).toBe('warn');
    expect(l.child({ a: 1 }).level).toBe('warn');
  });
});
