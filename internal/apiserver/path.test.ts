import { describe, expect, it } from 'vitest';
import { parseApiPath } from './path.js';

describe('parseApiPath', () => {
  it('names discovery documents', () => {
    expect(parseApiPath('/api')).toEqual({ kind: 'root', core: true });
    expect(parseApiPath('/apis')).toEqual({ kind: 'root', core: false });
    expect(parseApiPath('/apis/')).toEqual({ kind: 'root', core: false });
    expect(parseApiPath('/api/v1')).toEqual({ kind: 'groupVersion', group: '', version: 'v1' });
    expect(parseApiPath('/apis/apps')).toEqual({ kind: 'group', group: 'apps' });
    expect(parseApiPath('/apis/apps/v1')).toEqual({ kind: 'groupVersion', group: 'apps', version: 'v1' });
  });

  it('splits namespaced and cluster-scoped resource paths', () => {
    expect(parseApiPath('/api/v1/namespaces/default/configmaps')).toEqual({
      kind: 'resource', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', legacyWatch: false,
    });
    expect(parseApiPath('/apis/apps/v1/namespaces/ns1/deployments/web/scale')).toEqual({
      kind: 'resource', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1', name: 'web', subresource: 'scale', legacyWatch: false,
    });
    expect(parseApiPath('/api/v1/nodes/n1/status')).toEqual({
      kind: 'resource', group: '', version: 'v1', resource: 'nodes', name: 'n1', subresource: 'status', legacyWatch: false,
    });
    expect(parseApiPath('/api/v1/pods')).toMatchObject({ resource: 'pods' });
  });

  it('treats /namespaces/<name> and its status/finalize as the Namespace itself', () => {
    expect(parseApiPath('/api/v1/namespaces/kube-system')).toMatchObject({ resource: 'namespaces', name: 'kube-system' });
    expect(parseApiPath('/api/v1/namespaces')).toMatchObject({ resource: 'namespaces' });
    expect(parseApiPath('/api/v1/namespaces/t/finalize')).toMatchObject({ resource: 'namespaces', name: 't', subresource: 'finalize' });
    expect(parseApiPath('/api/v1/namespaces/t/status')).toMatchObject({ resource: 'namespaces', name: 't', subresource: 'status' });
    expect(Object.hasOwn(parseApiPath('/api/v1/namespaces/t/status')!, 'namespace')).toBe(false);
  });

  it('parses the legacy watch form and proxy tails', () => {
    expect(parseApiPath('/api/v1/watch/namespaces/d/pods/p')).toMatchObject({ resource: 'pods', namespace: 'd', name: 'p', legacyWatch: true });
    expect(parseApiPath('/api/v1/namespaces/d/pods/p/proxy/a/b')).toMatchObject({ subresource: 'proxy', rest: ['a', 'b'] });
  });

  it('decodes escaped segments and rejects malformed paths', () => {
    expect(parseApiPath('/api/v1/namespaces/d/configmaps/a%2Eb')).toMatchObject({ name: 'a.b' });
    expect(parseApiPath('/api//v1')).toBeUndefined();
    expect(parseApiPath('/foo/v1')).toBeUndefined();
    expect(parseApiPath('/api/v1/namespaces/d/configmaps/%E0%A4%A')).toBeUndefined();
  });
});
