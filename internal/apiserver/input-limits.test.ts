import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './server.js';
import { createRealServer, type RealServer } from './testing/real.js';

// Upstream's input limits, each answered with a 4xx Status that writes nothing.

let rs: RealServer;
beforeAll(async () => {
  rs = await createRealServer();
});
afterAll(async () => {
  await rs.app.close();
});

const CM_URL = '/api/v1/namespaces/default/configmaps';
const cm = (metadata: Record<string, unknown>, data: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...metadata }, data });

const cases: [string, string, number, RegExp][] = [
  ['name over 253 characters', cm({ name: 'a'.repeat(254) }), 422, /must be no more than 253 characters/],
  ['label key name over 63', cm({ labels: { ['k'.repeat(64)]: 'v' } }), 422, /name part must be no more than 63 characters/],
  ['label key prefix over 253', cm({ labels: { [`${'p'.repeat(254)}/k`]: 'v' } }), 422, /prefix part must be no more than 253 characters/],
  ['label value over 63', cm({ labels: { k: 'v'.repeat(64) } }), 422, /must be no more than 63 characters/],
  ['annotation key name over 63', cm({ annotations: { ['k'.repeat(64)]: 'v' } }), 422, /name part must be no more than 63 characters/],
  ['annotations over 256 KiB in total', cm({ annotations: { a: 'v'.repeat(200 * 1024), b: 'v'.repeat(60 * 1024) } }), 422, /may not be more than 262144 bytes/],
  ['object over 1.5 MiB', cm({}, { a: 'x'.repeat(1.6 * 1024 * 1024) }), 413, /object is \d+ bytes, limit is 1572864/],
  ['body over 3 MiB', cm({}, { a: 'x'.repeat(3.1 * 1024 * 1024) }), 413, /limit is 3145728/],
];

describe('object limits', () => {
  for (const [name, body, code, message] of cases) {
    it(`${name}: ${code}`, async () => {
      const before = await rs.revision();
      const r = await rs.app.inject({ method: 'POST', url: CM_URL, headers: { 'content-type': 'application/json' }, payload: body });
      expect(r.statusCode).toBe(code);
      expect(r.json()).toMatchObject({ kind: 'Status', code });
      expect(r.json().message).toMatch(message);
      expect(await rs.revision()).toBe(before);
    });
  }

  it('annotations of exactly 256 KiB in total are accepted', async () => {
    const r = await rs.app.inject({ method: 'POST', url: CM_URL, headers: { 'content-type': 'application/json' }, payload: cm({ name: 'big-ann', annotations: { a: 'v'.repeat(256 * 1024 - 1) } }) });
    expect(r.statusCode).toBe(201);
  });
});
