import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/index.js';
import { COMPONENT_STATUS_DEPRECATION, componentStatusDefinition } from './componentstatus.js';

const user = { name: 'admin', groups: ['system:masters'] };
const def = componentStatusDefinition(async () => [
  { name: 'scheduler', healthy: true, message: 'ok' },
  { name: 'etcd-0', healthy: false, error: 'no leader' },
]);

describe('componentstatuses', () => {
  it('lists every component with upstream\'s condition shape and deprecation warning', async () => {
    const res = await def.serve!({ user, group: '', version: 'v1', resource: 'componentstatuses', verb: 'list', params: {} });
    expect(def.deprecationWarning).toBe(COMPONENT_STATUS_DEPRECATION);
    expect(res.body).toMatchObject({ kind: 'ComponentStatusList', apiVersion: 'v1' });
    const items = (res.body as { items: Array<Record<string, unknown>> }).items;
    expect(items).toEqual([
      { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'scheduler' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] },
      { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'False', error: 'no leader' }] },
    ]);
  });

  it('prints the Status, Message and Error columns', async () => {
    const res = await def.serve!({ user, group: '', version: 'v1', resource: 'componentstatuses', verb: 'list', params: {} });
    const items = (res.body as unknown as { items: never[] }).items;
    const rows = items.map((o) => def.columns!.map((c) => c.cell(o, 0)));
    expect(rows).toEqual([['scheduler', 'Healthy', 'ok', ''], ['etcd-0', 'Unhealthy', '', 'no leader']]);
  });

  it('gets one by name and answers 404 for an unknown one', async () => {
    const res = await def.serve!({ user, group: '', version: 'v1', resource: 'componentstatuses', verb: 'get', name: 'scheduler', params: {} });
    expect((res.body as { metadata: { name: string } }).metadata.name).toBe('scheduler');
    const err = await def.serve!({ user, group: '', version: 'v1', resource: 'componentstatuses', verb: 'get', name: 'nope', params: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(404);
  });

  it('refuses writes', async () => {
    const err = await def.serve!({ user, group: '', version: 'v1', resource: 'componentstatuses', verb: 'delete', name: 'scheduler', params: {} }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe(405);
  });
});
