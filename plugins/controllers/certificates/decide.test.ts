import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { BACKDATE_MS, duration, MAX_TTL_MS, signDecision, signerRefusal } from './decide.js';
import type { ParsedRequest } from './types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const req = (more: Partial<ParsedRequest> = {}): ParsedRequest => ({ commonName: 'alice', organizations: ['dev'], dnsNames: [], ips: [], emails: [], uris: [], ...more });
const csr = (conditions: object[], spec: object = {}, status: object = {}): KubeObject => ({
  metadata: { name: 'alice' },
  spec: { request: Buffer.from('PEM').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
  status: { conditions, ...status },
});
const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove' };

describe('signDecision', () => {
  const parse = () => req();
  it('signs an approved request of a served signer, backdated, for the signing duration', () => {
    expect(signDecision(csr([approved]), parse, T0)).toEqual({ action: 'sign', usages: ['client auth'], notBefore: T0 - BACKDATE_MS, notAfter: T0 + MAX_TTL_MS });
    expect(signDecision(csr([approved], { expirationSeconds: 3600 }), parse, T0)).toMatchObject({ notAfter: T0 + 3600_000 });
  });

  const none: [string, KubeObject][] = [
    ['pending', csr([])],
    ['denied', csr([{ type: 'Denied', status: 'True' }])],
    ['approved but already failed', csr([approved, { type: 'Failed', status: 'True' }])],
    ['approved, condition False', csr([{ ...approved, status: 'False' }])],
    ['already issued', csr([approved], {}, { certificate: 'Q0VSVA==' })],
    ['another signer', csr([approved], { signerName: 'example.com/mine' })],
  ];
  for (const [name, c] of none) it(`leaves alone: ${name}`, () => expect(signDecision(c, parse, T0)).toEqual({ action: 'none' }));

  it('fails a request that does not parse or that its signer refuses', () => {
    const bad = () => {
      throw new Error('PEM block type must be CERTIFICATE REQUEST');
    };
    expect(signDecision(csr([approved]), bad, T0)).toEqual({ action: 'fail', message: 'unable to parse csr "alice": PEM block type must be CERTIFICATE REQUEST' });
    expect(signDecision(csr([approved], { usages: ['client auth', 'server auth'] }), parse, T0)).toEqual({ action: 'fail', message: 'invalid usage for client certificate: server auth' });
  });
});

describe('duration', () => {
  it('honours expirationSeconds between 10 minutes and a year', () => {
    expect(duration(undefined)).toBe(MAX_TTL_MS);
    expect(duration(600)).toBe(600_000);
    expect(duration(60)).toBe(600_000);
    expect(duration(10 * 365 * 24 * 3600)).toBe(MAX_TTL_MS);
  });
});

describe('signerRefusal (upstream messages)', () => {
  const node = (more: Partial<ParsedRequest> = {}) => req({ commonName: 'system:node:n1', organizations: ['system:nodes'], ...more });
  const cases: [string, string, ParsedRequest, string[], string | undefined][] = [
    ['client: ok', 'kubernetes.io/kube-apiserver-client', req(), ['digital signature', 'key encipherment', 'client auth'], undefined],
    ['client: no client auth', 'kubernetes.io/kube-apiserver-client', req(), ['digital signature'], 'missing required usage for client certificate: client auth'],
    ['client: server auth', 'kubernetes.io/kube-apiserver-client', req(), ['client auth', 'server auth'], 'invalid usage for client certificate: server auth'],
    ['kubelet client: ok', 'kubernetes.io/kube-apiserver-client-kubelet', node(), ['digital signature', 'client auth'], undefined],
    ['kubelet client: wrong O', 'kubernetes.io/kube-apiserver-client-kubelet', node({ organizations: ['x'] }), ['digital signature', 'client auth'], 'subject organization is not system:nodes'],
    ['kubelet client: DNS SAN', 'kubernetes.io/kube-apiserver-client-kubelet', node({ dnsNames: ['a'] }), ['digital signature', 'client auth'], 'DNS subjectAltNames are not allowed'],
    ['kubelet client: CN', 'kubernetes.io/kube-apiserver-client-kubelet', node({ commonName: 'n1' }), ['digital signature', 'client auth'], 'subject common name does not begin with system:node:'],
    ['kubelet client: usages', 'kubernetes.io/kube-apiserver-client-kubelet', node(), ['client auth'], 'usages did not match [client auth digital signature key encipherment]'],
    ['kubelet serving: ok', 'kubernetes.io/kubelet-serving', node({ ips: ['10.0.0.1'] }), ['digital signature', 'key encipherment', 'server auth'], undefined],
    ['kubelet serving: no SAN', 'kubernetes.io/kubelet-serving', node(), ['digital signature', 'server auth'], 'DNS or IP subjectAltName is required'],
    ['kubelet serving: email', 'kubernetes.io/kubelet-serving', node({ dnsNames: ['n1'], emails: ['a@b'] }), ['digital signature', 'server auth'], 'Email subjectAltNames are not allowed'],
    ['legacy-unknown: anything', 'kubernetes.io/legacy-unknown', req({ uris: ['spiffe://x'] }), ['server auth'], undefined],
  ];
  for (const [name, signer, r, usages, want] of cases) it(name, () => expect(signerRefusal(signer, r, usages)).toBe(want));
});
