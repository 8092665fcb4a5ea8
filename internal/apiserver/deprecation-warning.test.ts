import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ENDPOINTS_DEPRECATION } from '../registry/resources/core/endpoints.js';
import { listen } from './server.js';
import { createRealServer, type RealServer } from './testing/real.js';

let rs: RealServer | undefined;
afterEach(async () => {
  await rs?.close();
  rs = undefined;
});

const WARNING = `299 - "${ENDPOINTS_DEPRECATION}"`;
const EP = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };

function warnings(h: string | string[] | undefined): string[] {
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
}

describe('a deprecated resource warns on every request', () => {
  it('create, get, list and a failed get of v1 Endpoints carry upstream\'s warning; other resources none', async () => {
    rs = await createRealServer();
    const base = '/api/v1/namespaces/default/endpoints';
    const created = await rs.app.inject({ method: 'POST', url: base, payload: EP });
    expect(created.statusCode).toBe(201);
    expect(warnings(created.headers.warning)).toEqual([WARNING]);
    for (const url of [`${base}/web`, base]) {
      const r = await rs.app.inject({ url });
      expect(r.statusCode).toBe(200);
      expect(warnings(r.headers.warning)).toEqual([WARNING]);
    }
    const missing = await rs.app.inject({ url: `${base}/nope` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    expect(warnings(missing.headers.warning)).toEqual([WARNING]);
    const cm = await rs.app.inject({ url: '/api/v1/namespaces/default/configmaps' });
    expect(cm.headers.warning).toBeUndefined();
  });

  it('keeps the request\'s own warnings after the deprecation one', async () => {
    rs = await createRealServer();
    const body = { ...EP, metadata: { name: 'web2' }, bogus: 1 };
    const r = await rs.app.inject({ method: 'POST', url: '/api/v1/namespaces/default/endpoints?fieldValidation=Warn', payload: body });
    expect(r.statusCode).toBe(201);
    const got = warnings(r.headers.warning);
    expect(got[0]).toBe(WARNING);
    expect(got.slice(1)).toEqual(['299 - "unknown field \\"bogus\\""']);
  });

  it('an HTTP watch of v1 Endpoints sends the warning with its headers', async () => {
    rs = await createRealServer();
    const { port } = await listen(rs.app, '127.0.0.1', 0);
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/default/endpoints?watch=1&timeoutSeconds=1' }, (res) => {
        resolve(res.headers);
        res.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(warnings(headers.warning)).toEqual([WARNING]);
  });
});
