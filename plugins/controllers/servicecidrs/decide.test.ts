import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { READY_MESSAGE, SERVICE_CIDR_FINALIZER, serviceCIDRDecision, TERMINATING_MESSAGE } from './decide.js';

const sc = (name: string, cidrs: string[], o: { finalizer?: boolean; deleting?: boolean; ready?: { status: string; reason?: string; message: string } } = {}): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'ServiceCIDR',
  metadata: { name, ...(o.finalizer ? { finalizers: [SERVICE_CIDR_FINALIZER] } : {}), ...(o.deleting ? { deletionTimestamp: '2026-12-07T10:00:00Z' } : {}) },
  spec: { cidrs },
  ...(o.ready ? { status: { conditions: [{ type: 'Ready', ...o.ready }] } } : {}),
});
const ready = { status: 'True', reason: '', message: READY_MESSAGE };

describe('servicecidrs controller decision', () => {
  const kubernetes = sc('kubernetes', ['10.96.0.0/12'], { finalizer: true, ready });
  it.each([
    ['a new ServiceCIDR gets the finalizer first', sc('extra', ['192.168.0.0/16']), [], { action: 'addFinalizer' }],
    ['then Ready=True', sc('extra', ['192.168.0.0/16'], { finalizer: true }), [], { action: 'setReady', condition: ready }],
    ['a Ready one is left alone', sc('extra', ['192.168.0.0/16'], { finalizer: true, ready }), ['192.168.0.5'], { action: 'none' }],
    ['deleting with an address only it covers: held, Ready=False Terminating', sc('extra', ['192.168.0.0/16'], { finalizer: true, deleting: true, ready }), ['192.168.0.5', '10.96.0.1'],
      { action: 'setReady', condition: { status: 'False', reason: 'Terminating', message: TERMINATING_MESSAGE } }],
    ['deleting while every address it covers has another range: finalizer removed', sc('overlap', ['10.96.0.0/16'], { finalizer: true, deleting: true }), ['10.96.0.1'], { action: 'removeFinalizer' }],
    ['deleting with no address in it: finalizer removed', sc('extra', ['192.168.0.0/16', '2001:db8::/112'], { finalizer: true, deleting: true }), ['10.96.0.1', '2001:db9::1'], { action: 'removeFinalizer' }],
    ['an IPv6 address in its IPv6 range holds it', sc('v6', ['2001:db8::/112'], { finalizer: true, deleting: true }), ['2001:db8::5'],
      { action: 'setReady', condition: { status: 'False', reason: 'Terminating', message: TERMINATING_MESSAGE } }],
    ['deleting without the finalizer: nothing left to do', sc('extra', ['192.168.0.0/16'], { deleting: true }), ['192.168.0.5'], { action: 'none' }],
  ])('%s', (_name, cidr, ips, want) => {
    expect(serviceCIDRDecision(cidr, [kubernetes, cidr], ips)).toEqual(want);
  });

  it('another range being deleted too does not cover an address', () => {
    const a = sc('a', ['192.168.0.0/16'], { finalizer: true, deleting: true });
    const b = sc('b', ['10.100.0.0/24'], { finalizer: true, deleting: true });
    expect(serviceCIDRDecision(a, [a, b], ['192.168.0.5']).action).toBe('setReady');
  });
});
