import { X509Certificate, createPublicKey } from 'node:crypto';
import { connect, createServer } from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { certFingerprint, certSubject, createCA, createCsr, createEcKey, issueCert, signCsr, signEcPublicKey } from './pki.js';

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

  it('signs with SHA-256 RSA: the CA verifies itself, forge and Node both accept the signatures', () => {
    const x = new X509Certificate(ca.certPem);
    expect(x.verify(x.publicKey)).toBe(true);
    const parsed = forge.pki.certificateFromPem(ca.certPem);
    expect(parsed.signatureOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
    expect(parsed.verify(parsed)).toBe(true);
  });

  it('a CSR carries a valid self-signature; the CA signs its key with the names it chooses; a forged CSR is refused', () => {
    const { csrPem, keyPem } = createCsr({ commonName: 'asked-for' });
    expect(forge.pki.certificationRequestFromPem(csrPem).verify()).toBe(true);
    const certPem = signCsr(ca, csrPem, { subject: { commonName: 'system:node:2', organizations: ['kplane:nodes'] }, client: true, server: true, ips: ['127.0.0.1'] });
    const x = new X509Certificate(certPem);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }));
    expect(certSubject(certPem)).toEqual({ commonName: 'system:node:2', organizations: ['kplane:nodes'] });
    // Another subject under the same signature: the self-signature no longer matches.
    const csr = forge.pki.certificationRequestFromPem(csrPem);
    csr.setSubject([{ shortName: 'CN', value: 'someone-else' }]);
    (csr as unknown as { certificationRequestInfo: unknown }).certificationRequestInfo = null;
    const forged = forge.pki.certificationRequestToPem(csr);
    expect(() => signCsr(ca, forged, { subject: { commonName: 'x' }, client: true })).toThrow(/bad signature/);
  });

  it('issues an ECDSA P-256 serving certificate that Node verifies against the CA and serves TLS with', async () => {
    const srv = issueCert(ca, { subject: { commonName: 'kube-apiserver' }, server: true, dnsNames: ['kubernetes'], ips: ['127.0.0.1'], keyType: 'ecdsa' });
    const x = new X509Certificate(srv.certPem);
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(srv.keyPem).export({ type: 'spki', format: 'pem' }));
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x.subjectAltName).toContain('DNS:kubernetes');
    expect(x.subject).toContain('CN=kube-apiserver');
    // A TLS client that trusts only the CA completes a handshake with it and sees an ECDSA certificate.
    const server = createServer({ key: srv.keyPem, cert: srv.certPem }, (s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const got = await new Promise<{ data: string; type: string | undefined }>((resolve, reject) => {
        const c = connect({ host: '127.0.0.1', port, ca: ca.certPem, servername: 'kubernetes' }, () => {
          const type = c.getPeerX509Certificate()?.publicKey.asymmetricKeyType;
          c.once('data', (d) => resolve({ data: String(d), type }));
        });
        c.on('error', reject);
      });
      expect(got).toEqual({ data: 'ok', type: 'ec' });
    } finally {
      server.close();
    }
  });

  it("signs a given ECDSA public key (a joiner's serving key), and refuses an RSA one", () => {
    const { keyPem, publicKeyPem } = createEcKey();
    const certPem = signEcPublicKey(ca, publicKeyPem, { subject: { commonName: 'kube-apiserver' }, server: true, ips: ['127.0.0.1'] });
    const x = new X509Certificate(certPem);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }));
    const rsa = createPublicKey(createCsr({ commonName: 'x' }).keyPem).export({ type: 'spki', format: 'pem' }).toString();
    expect(() => signEcPublicKey(ca, rsa, { subject: { commonName: 'x' }, server: true })).toThrow(/not an ECDSA P-256 key/);
  });
});
