import type { FastifyRequest } from 'fastify';
import { createApiServer, type ApiServer, type ApiServerOptions } from '../server.js';
import type { VersionInfo } from '../health.js';
import { FakeCatalog, FakeHandler } from './fakes.js';

export const testVersion: VersionInfo = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0+kplane',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z',
  goVersion: 'node20',
  compiler: 'tsup',
  platform: 'linux/amd64',
};

/** Test authentication: `Authorization: Bearer <user>` is that user; no header is anonymous. */
export function bearerAuthenticator(request: FastifyRequest) {
  const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  return m ? { name: m[1]!, groups: ['system:authenticated'] } : null;
}

export const AUTH = { authorization: 'Bearer admin' };

export interface TestServer {
  app: ApiServer;
  handler: FakeHandler;
  catalog: FakeCatalog;
}

export function createTestServer(overrides: Partial<ApiServerOptions> = {}): TestServer {
  const handler = new FakeHandler();
  const catalog = new FakeCatalog();
  const app = createApiServer({ handler, catalog, authenticator: bearerAuthenticator, version: testVersion, ...overrides });
  return { app, handler: (overrides.handler as FakeHandler) ?? handler, catalog: (overrides.catalog as FakeCatalog) ?? catalog };
}
