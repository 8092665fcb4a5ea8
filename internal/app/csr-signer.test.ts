import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caCsrSigner } from './csr-signer.js';
import { createCA, createCsr } from './pki.js';

const ca = createCA('test-ca');
const dir = mkdtempSync(join(tmpdir(), 'kplane-csr-'));

/** A CSR made by openssl, as users make them (`openssl req -new`). */
function opensslCsr(name: string, keyArgs: string[], subj: string, sans?: string): string {
  const args = ['req', '-new', ...keyArgs, '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', subj, '-out', join(dir, `${name}.csr`)];
  if (sans) args.push('-addext', `subjectAltName=${sans}`);
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

const T0 = Date.now();
const window = { notBefore: T0 - 300_000, notAfter: T0 + 3600_000 };

describe('caCsrSigner', () => {
  const signer = caCsrSigner(ca);

  it('parses and signs an ECDSA P-256 client request with its subject, for the usages asked', () => {
    const pem = opensslCsr('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], '/O=dev/O=ops/CN=alice');
    expect(signer.parse(pem)).toEqual({ commonName: 'alice', organizations: ['dev', 'ops'], dnsNames: [], ips: [], emails: [], uris: [] });
    const cert = new X509Certificate(signer.sign(pem, { usages: ['digital signature', 'client auth'], ...window }));
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.subject).toBe('O=dev\nO=ops\nCN=alice');
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).toBe(false);
    expect(Date.parse(cert.validFrom)).toBe(Math.floor(window.notBefore / 1000) * 1000);
    expect(Date.parse(cert.validTo)).toBe(Math.floor(window.notAfter / 1000) * 1000);
  });

  it('carries DNS, IP, email and URI names and server usages (RSA and Ed25519 keys)', () => {
    const sans = 'DNS:node1.example,IP:10.0.0.7,IP:fd00::1,email:ops@example.com,URI:spiffe://cluster/n1';
    const pem = opensslCsr('rsa', ['-newkey', 'rsa:2048'], '/O=system:nodes/CN=system:node:n1', sans);
    expect(signer.parse(pem)).toMatchObject({ dnsNames: ['node1.example'], ips: ['10.0.0.7', 'fd00:0:0:0:0:0:0:1'], emails: ['ops@example.com'], uris: ['spiffe://cluster/n1'] });
    const cert = new X509Certificate(signer.sign(pem, { usages: ['digital signature', 'key encipherment', 'server auth'], ...window }));
    expect(cert.subjectAltName).toBe('email:ops@example.com, DNS:node1.example, URI:spiffe://cluster/n1, IP Address:10.0.0.7, IP Address:FD00:0:0:0:0:0:0:1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const ed = opensslCsr('ed', ['-newkey', 'ed25519'], '/CN=bob');
    expect(new X509Certificate(signer.sign(ed, { usages: ['client auth'], ...window })).publicKey.asymmetricKeyType).toBe('ed25519');
  });

  it('caps the validity at the CA\'s own expiry', () => {
    const pem = createCsr({ commonName: 'carol' }).csrPem;
    const cert = new X509Certificate(signer.sign(pem, { usages: ['client auth'], notBefore: T0, notAfter: T0 + 100 * 365 * 86_400_000 }));
    expect(cert.validTo).toBe(new X509Certificate(ca.certPem).validTo);
  });

  it('refuses a request whose signature does not verify, or that is not a request', () => {
    const pem = opensslCsr('tamper', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], '/CN=mallory');
    const body = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    body[body.indexOf(Buffer.from('mallory'))] ^= 1; // the subject now reads "lallory"
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => signer.parse(tampered)).toThrow("the request's signature does not verify");
    expect(() => signer.parse('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow('PEM block type must be CERTIFICATE REQUEST');
  });
});
