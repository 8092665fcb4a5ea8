import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certFingerprint, certSubject, createCA, issueCert } from './pki.js';

describe('pki', () => {
  const ca = createCA();

  it('issues a serving certificate that Node verifies against the CA, with the SANs asked for', () => {
    const srv = issueCert(ca, { subject: { commonName: 'kplane' }, server: true, dnsNames: ['localhost', 'kubernetes.default.svc'], ips: ['127.0.0.1', '10.96.0.1'] });
    const x = new X509Certificate(srv.certPem);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.subjectAltName).toContain('DNS:kubernetes.default.svc');
    expect(x.subjectAltName).toContain('IP Address:10.96.0.1');
    expect(x.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it('puts CN and O into client certificates as Kubernetes reads them', () => {
    const admin = issueCert(ca, { subject: { commonName: 'kubernetes-admin', organizations: ['system:masters'] }, client: true });
    expect(certSubject(admin.certPem)).toEqual({ commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    expect(new X509Certificate(admin.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('fingerprints match the DER hash Node computes', () => {
    const fp = new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(certFingerprint(ca.certPem)).toBe(fp);
  });
});
