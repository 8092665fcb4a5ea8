import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterIdPath, ensureClusterId, isClusterId, legacyClusterId, readClusterId } from './cluster-id.js';
import { createCA } from './pki.js';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'kplane-cluster-id-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const dbDir = (name: string, withLog = false) => {
  const d = join(root, name, 'db');
  mkdirSync(d, { recursive: true });
  if (withLog) writeFileSync(join(d, 'raft.db'), '');
  return d;
};

describe('cluster id', () => {
  const ca = createCA();

  it('gives the founding node of a new cluster a random id and keeps it across restarts', () => {
    const a = dbDir('a');
    const id = ensureClusterId(a, { caCertPem: ca.certPem, existing: false });
    expect(isClusterId(id)).toBe(true);
    expect(id).not.toBe(legacyClusterId(ca.certPem));
    expect(ensureClusterId(a, { caCertPem: ca.certPem, existing: true })).toBe(id);
    expect(readClusterId(a)).toBe(id);
    expect(ensureClusterId(dbDir('b'), { caCertPem: ca.certPem, existing: false })).not.toBe(id);
  });

  it('lets every member of a cluster from before cluster ids derive the same id from the shared CA', () => {
    const founder = ensureClusterId(dbDir('n1', true), { caCertPem: ca.certPem, existing: false });
    const joined = ensureClusterId(dbDir('n2', true), { caCertPem: ca.certPem, existing: true });
    // A joined node restarted before its first snapshot has no raft.db yet, only its join record.
    const early = ensureClusterId(dbDir('n3'), { caCertPem: ca.certPem, existing: true });
    expect(new Set([founder, joined, early])).toEqual(new Set([legacyClusterId(ca.certPem)]));
    expect(isClusterId(founder)).toBe(true);
    expect(legacyClusterId(createCA('other').certPem)).not.toBe(founder);
  });

  it('refuses a damaged id file instead of replacing it', () => {
    const d = dbDir('x');
    writeFileSync(clusterIdPath(d), 'garbage\n');
    expect(() => ensureClusterId(d, { caCertPem: ca.certPem, existing: true })).toThrow(/not a cluster id/);
  });
});
