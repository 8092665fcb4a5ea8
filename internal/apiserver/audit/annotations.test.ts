import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { addAuditAnnotation, createCatalog, createHandler, type AdmissionPlugin } from '../../registry/index.js';
import { builtinDefinitions } from '../../registry/resources/index.js';
import { createObjectStore } from '../../storage/index.js';
import { createApiServer, type ApiServer } from '../server.js';
import { testVersion } from '../testing/harness.js';
import { parsePolicy } from './index.js';

describe('audit annotations from admission', () => {
  let app: ApiServer | undefined;
  afterEach(async () => app?.close());

  it('reach the request\'s ResponseComplete event (first value of a key wins); another request has its own', async () => {
    const marker: AdmissionPlugin = {
      name: 'marker',
      validate(a) {
        addAuditAnnotation(a.auditAnnotations, 'example.com/name', a.name);
        addAuditAnnotation(a.auditAnnotations, 'example.com/name', 'second value');
      },
    };
    const catalog = createCatalog(builtinDefinitions());
    const handler = createHandler({ catalog, objectStore: createObjectStore(createMemoryBackend()), admission: [marker] });
    const admin = { name: 'admin', groups: ['system:masters'] };
    await handler.handle({ user: admin, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, params: {} });
    const lines: string[] = [];
    const policy = parsePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [{ level: 'Metadata' }] });
    app = createApiServer({ handler, catalog, version: testVersion, authenticator: () => admin, audit: { policy, backend: { write: (l) => lines.push(l) } } });
    for (const name of ['a', 'b']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } });
      expect(res.statusCode).toBe(201);
    }
    const done = lines.map((l) => JSON.parse(l) as { stage: string; annotations?: Record<string, string>; objectRef?: { name?: string } }).filter((e) => e.stage === 'ResponseComplete');
    expect(done.map((e) => e.annotations)).toEqual([{ 'example.com/name': 'a' }, { 'example.com/name': 'b' }]);
  });
});
