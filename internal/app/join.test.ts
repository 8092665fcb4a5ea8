import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCredentials } from './credentials.js';
import { clockSkewError, createJoinToken, joinUrl } from './join.js';
import { certFingerprint, createCsr, signCsr } from './pki.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kplane-join-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the URL add-node prints', () => {
  it('is the advertised API URL the server wrote, not the loopback URL of the admin kubeconfig', () => {
    writeFileSync(join(dir, 'kubeconfig'), 'clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n');
    expect(joinUrl(dir)).toBe('https://127.0.0.1:6443');
    writeFileSync(join(dir, 'api-url'), 'https://192.0.2.7:6443\n');
    expect(joinUrl(dir)).toBe('https://192.0.2.7:6443');
  });

  it('tells the user to start the server first when neither exists', () => {
    expect(() => joinUrl(dir)).toThrow(/start kplane server with this --data-dir first/);
  });
});

describe('join tokens and CSRs', () => {
  it('a token pins the CA fingerprint and carries a 128-bit secret', () => {
    const creds = ensureCredentials(dir);
    const token = createJoinToken(dir, 60_000);
    const [prefix, fp, secret] = token.split('.');
    expect(prefix).toBe('K10');
    expect(fp).toBe(certFingerprint(creds.ca.certPem));
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses to make tokens on a node without the CA key', () => {
    expect(() => createJoinToken(dir, 60_000)).toThrow(/no CA key/);
  });

  it('signs the CSR key with the subject and usages the CA chooses', () => {
    const creds = ensureCredentials(dir);
    const { csrPem } = createCsr({ commonName: 'anything', organizations: ['system:masters'] });
    const pem = signCsr(creds.ca, csrPem, { subject: { commonName: 'kplane-node-7', organizations: ['kplane:nodes'] }, client: true, server: true, ips: ['127.0.0.1'] });
    const x = new X509Certificate(pem);
    expect(x.subject).toContain('CN=kplane-node-7');
    expect(x.subject).not.toContain('system:masters');
    expect(x.verify(new X509Certificate(creds.ca.certPem).publicKey)).toBe(true);
    expect(() => signCsr(creds.ca, csrPem.replace(/A/g, 'B'), { subject: { commonName: 'x' } })).toThrow();
  });
});

describe('join: clock skew and token reuse', () => {
  it('refuses a clock more than 5 minutes off the cluster, either way, and says which way', () => {
    const now = 1_800_000_000_000;
    expect(clockSkewError(now, now + 4 * 60_000, 'https://n1')).toBeUndefined();
    expect(clockSkewError(undefined, now + 60 * 60_000, 'https://n1')).toBeUndefined();
    expect(clockSkewError(now, now - 30 * 60_000, 'https://n1')).toMatch(/clock is 30 minutes behind the cluster's \(https:\/\/n1\).*NTP/);
    expect(clockSkewError(now, now + 2 * 3_600_000, 'https://n1')).toMatch(/120 minutes ahead of/);
  });
});
