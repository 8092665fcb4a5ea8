import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsMissing, ensureCredentials, ensureCredentialsOffThread } from './credentials.js';

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
});
