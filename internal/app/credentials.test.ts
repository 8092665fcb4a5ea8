import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { credentialsMissing, ensureCredentials, ensureCredentialsOffThread, pkiPaths, servingNames, validTlsSans } from './credentials.js';
import { issueCert } from './pki.js';

describe('credentials for a server start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kplane-creds-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows when a start must create or reissue certificates', () => {
    expect(credentialsMissing(dir)).toBe(true);
    ensureCredentials(dir);
    expect(credentialsMissing(dir)).toBe(false);
    // A new advertise address is not in the serving certificate: it is reissued.
    expect(credentialsMissing(dir, { advertiseAddress: '192.0.2.7' })).toBe(true);
  });

  it('creates them once and then only reads them (in-thread where the worker entry is not built)', async () => {
    const first = await ensureCredentialsOffThread(dir);
    const again = await ensureCredentialsOffThread(dir);
    expect(again).toEqual(first);
    expect(first.admin.certPem).toContain('BEGIN CERTIFICATE');
  });

  it('puts --tls-san names in the serving certificate, reissuing it when one is added', () => {
    const first = ensureCredentials(dir, { tlsSans: ['lb.example.com', '198.51.100.4'] });
    const san = new X509Certificate(first.serving.certPem).subjectAltName ?? '';
    expect(san).toContain('DNS:lb.example.com');
    expect(san).toContain('IP Address:198.51.100.4');
    expect(credentialsMissing(dir, { tlsSans: ['lb.example.com'] })).toBe(false);
    expect(credentialsMissing(dir, { tlsSans: ['other.example.com'] })).toBe(true);
    const second = ensureCredentials(dir, { tlsSans: ['other.example.com'] });
    expect(second.ca).toEqual(first.ca);
    expect(new X509Certificate(second.serving.certPem).subjectAltName).toContain('DNS:other.example.com');
  });

  it('serves a new data dir with an ECDSA P-256 key; a data dir that has an RSA serving key keeps it', () => {
    const fresh = ensureCredentials(dir);
    expect(new X509Certificate(fresh.serving.certPem).publicKey.asymmetricKeyType).toBe('ec');
    expect(new X509Certificate(fresh.admin.certPem).publicKey.asymmetricKeyType).toBe('rsa');
    // An older data dir: its RSA serving certificate (still covering the names) is read, not replaced.
    const p = pkiPaths(dir);
    const rsa = issueCert(fresh.ca, { subject: { commonName: 'kube-apiserver' }, server: true, ...servingNames() });
    writeFileSync(p.servingCert, rsa.certPem);
    writeFileSync(p.servingKey, rsa.keyPem);
    if (credentialsMissing(dir)) return expect.fail('the RSA certificate should cover the default names');
    expect(ensureCredentials(dir).serving).toEqual(rsa);
    expect(readFileSync(p.servingKey, 'utf8')).toBe(rsa.keyPem);
  });

  it('accepts host names and IPs as --tls-san and refuses anything else', () => {
    expect(validTlsSans(['kplane.local', '10.0.0.5', 'fd00::1', '*.example.com'])).toHaveLength(4);
    for (const bad of ['', 'a b', 'https://lb:6443', 'x,DNS:evil', 'a/b']) expect(() => validTlsSans([bad])).toThrow(/--tls-san/);
  });
});
