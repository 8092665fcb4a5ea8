// First-run mistakes with ports are answered at once, before minutes of work (certificates, a
// join, a datastore that retries for ever when its listener cannot bind), with the flag to change.

import { once } from 'node:events';
import { createServer } from 'node:net';
import { ConfigError } from '../util/index.js';

/**
 * Throws a ConfigError naming `flag` when host:port cannot be bound now: taken by another process,
 * or not an address of this machine. Port 0 (any free port) always passes.
 */
export async function checkListenFree(host: string, port: number, flag: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  server.listen({ host, port, exclusive: true });
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    throw listenError(err, host, port, flag);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The ConfigError for a failed listen on host:port, naming the flag that chose it. */
export function listenError(err: unknown, host: string, port: number, flag: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`${where} (${flag}) is already in use by another process, perhaps another kplane; choose a free port with ${flag} HOST:PORT`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${where} (${flag}) is not an address of this machine; fix ${flag}`);
  if (code === 'EACCES') return new ConfigError(`${where} (${flag}): permission denied (ports below 1024 need privileges); choose another port with ${flag}`);
  return new ConfigError(`cannot listen on ${where} (${flag}): ${(err as Error).message}`);
}
