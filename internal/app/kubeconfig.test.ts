import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('is the YAML of an admin kubeconfig with embedded credentials', () => {
    const text = renderKubeconfig({ server: 'https://[::1]:6443', caPem: 'CA', clientCertPem: 'CERT', clientKeyPem: 'KEY' });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(parse(text)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kplane', cluster: { server: 'https://[::1]:6443', 'certificate-authority-data': b64('CA') } }],
      users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } }],
      contexts: [{ name: 'kubernetes-admin@kplane', context: { cluster: 'kplane', user: 'kubernetes-admin' } }],
      'current-context': 'kubernetes-admin@kplane',
      preferences: {},
    });
  });

  it('quotes names that would otherwise be YAML syntax', () => {
    const text = renderKubeconfig({ server: 'https://h:1', caPem: '', clientCertPem: '', clientKeyPem: '', clusterName: 'a: b', userName: '#x' });
    const doc = parse(text);
    expect(doc.clusters[0].name).toBe('a: b');
    expect(doc.users[0].name).toBe('#x');
    expect(doc['current-context']).toBe('#x@a: b');
  });
});

describe('renderKubeconfig scalars', () => {
  it('writes URLs, names and base64 plain, as a YAML library would', () => {
    const text = renderKubeconfig({ server: 'https://example.test:6443', caPem: 'CA', clientCertPem: '', clientKeyPem: '' });
    expect(text).toContain('server: https://example.test:6443\n');
    expect(text).toContain(`certificate-authority-data: ${Buffer.from('CA').toString('base64')}\n`);
    expect(text).toContain('current-context: kubernetes-admin@kplane\n');
  });

  it('quotes values another YAML type would claim', () => {
    const text = renderKubeconfig({ server: 'https://h:1', caPem: '', clientCertPem: '', clientKeyPem: '', clusterName: 'true', userName: '1e3' });
    const doc = parse(text);
    expect(doc.clusters[0].name).toBe('true');
    expect(doc.users[0].name).toBe('1e3');
    expect(doc.clusters[0].cluster['certificate-authority-data']).toBe('');
  });
});
