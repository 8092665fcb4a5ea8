import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { rootCaAction } from '../rootcacert/decide.js';
import { missingServiceAccounts } from './decide.js';

const ns = (name: string, o: { phase?: string; deleting?: boolean } = {}): KubeObject => ({
  metadata: { name, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: o.phase ?? 'Active' },
});

describe('missingServiceAccounts', () => {
  it('creates default where it is missing, nothing in terminating namespaces', () => {
    expect(missingServiceAccounts(ns('a'), () => false)).toEqual([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'a' } }]);
    expect(missingServiceAccounts(ns('a'), (n) => n === 'default')).toEqual([]);
    expect(missingServiceAccounts(ns('a', { phase: 'Terminating' }), () => false)).toEqual([]);
    expect(missingServiceAccounts(ns('a', { deleting: true }), () => false)).toEqual([]);
  });
});

describe('rootCaAction', () => {
  const DESC = 'kubernetes.io/description';
  it('creates the ConfigMap with the CA and the description', () => {
    const a = rootCaAction(ns('a'), undefined, 'PEM');
    expect(a.action).toBe('create');
    const cm = (a as { object: KubeObject }).object;
    expect(cm.metadata.name).toBe('kube-root-ca.crt');
    expect(cm.metadata.namespace).toBe('a');
    expect(cm.metadata.annotations?.[DESC]).toMatch(/^Contains a CA bundle that can be used to verify the kube-apiserver/);
    expect(cm.data).toEqual({ 'ca.crt': 'PEM' });
  });

  it('leaves an equal one alone; rewrites changed data and keeps other metadata; skips terminating namespaces', () => {
    const cm = (rootCaAction(ns('a'), undefined, 'PEM') as { object: KubeObject }).object;
    const current = { ...cm, metadata: { ...cm.metadata, uid: 'u', labels: { x: 'y' } } };
    expect(rootCaAction(ns('a'), current, 'PEM')).toEqual({ action: 'none' });
    const edited = { ...current, data: { 'ca.crt': 'EVIL', extra: '1' } };
    const upd = rootCaAction(ns('a'), edited, 'PEM') as { action: string; object: KubeObject };
    expect(upd.action).toBe('update');
    expect(upd.object.data).toEqual({ 'ca.crt': 'PEM' });
    expect(upd.object.metadata).toMatchObject({ uid: 'u', labels: { x: 'y' } });
    const noDesc = { ...current, metadata: { ...current.metadata, annotations: {} } };
    expect(rootCaAction(ns('a'), noDesc, 'PEM').action).toBe('update');
    expect(rootCaAction(ns('a', { deleting: true }), undefined, 'PEM')).toEqual({ action: 'none' });
  });
});
