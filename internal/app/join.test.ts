import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCredentials } from './credentials.js';
import type { KubeObject } from '../api/index.js';
import { clockSkewError, joinUrl } from './join.js';
import { consumeJoinToken, createJoinToken, joinTokenSecret, parseJoinToken, validJoinToken, JOIN_TOKEN_GROUP, JOIN_TOKEN_LABEL, type JoinTokenStore } from './join-token.js';
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
  it('a token pins the CA fingerprint and carries a bootstrap token stored as its Secret', () => {
    const creds = ensureCredentials(dir);
    const { token, secret } = joinTokenSecret(creds.ca.certPem, 60_000, Date.parse('2026-01-01T00:00:00Z'), false);
    const [prefix, fp, id, sec] = token.split('.');
    expect(prefix).toBe('K10');
    expect(fp).toBe(certFingerprint(creds.ca.certPem));
    expect(id).toMatch(/^[a-z0-9]{6}$/);
    expect(sec).toMatch(/^[a-z0-9]{16}$/);
    expect(secret.metadata).toMatchObject({ name: `bootstrap-token-${id}`, namespace: 'kube-system', labels: { [JOIN_TOKEN_LABEL]: 'single-use' } });
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(data).toMatchObject({ 'token-id': id, 'token-secret': sec, expiration: '2026-01-01T00:01:00Z', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': JOIN_TOKEN_GROUP });
    expect(parseJoinToken(token)).toEqual({ fingerprint: fp, id, secret: sec });
    expect(() => parseJoinToken(`K10.${fp}.${'a'.repeat(32)}`)).toThrow(/malformed join token/);
  });

  it('refuses to make tokens on a node without the CA key', async () => {
    await expect(createJoinToken(dir, 60_000)).rejects.toThrow(/no CA key/);
  });

  it('admits while valid: a single-use token is used by one join, a reusable one by many, an expired or foreign one by none', async () => {
    const creds = ensureCredentials(dir);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const stored = new Map<string, KubeObject>();
    let rv = 1;
    const store: JoinTokenStore = {
      get: async (name) => stored.get(name),
      delete: async (s) => {
        const cur = stored.get(s.metadata.name!);
        if (!cur || cur.metadata.resourceVersion !== s.metadata.resourceVersion) return false;
        return stored.delete(s.metadata.name!);
      },
    };
    const make = (reusable: boolean, extra?: (s: KubeObject) => void) => {
      const { token, secret } = joinTokenSecret(creds.ca.certPem, 60_000, now, reusable);
      secret.metadata.resourceVersion = String(rv++);
      extra?.(secret);
      stored.set(secret.metadata.name!, secret);
      return parseJoinToken(token);
    };
    const once = make(false);
    expect(await validJoinToken(store, once, now)).toBeDefined();
    const [a, b] = await Promise.all([consumeJoinToken(store, once, now), consumeJoinToken(store, once, now)]);
    expect([a, b].sort()).toEqual([false, true]);
    expect(await consumeJoinToken(store, once, now)).toBe(false);
    const many = make(true);
    expect(await consumeJoinToken(store, many, now)).toBe(true);
    expect(await consumeJoinToken(store, many, now)).toBe(true);
    expect(await consumeJoinToken(store, many, now + 60_000)).toBe(false);
    expect(await validJoinToken(store, { ...many, secret: 'x'.repeat(16) }, now)).toBeUndefined();
    // A bootstrap token outside the join group authenticates, but admits no node.
    const other = make(true, (s) => ((s.data as Record<string, string>)['auth-extra-groups'] = Buffer.from('system:bootstrappers:worker').toString('base64')));
    expect(await validJoinToken(store, other, now)).toBeUndefined();
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
