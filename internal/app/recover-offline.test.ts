import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDataDir, stamp } from './recover-offline.js';

let root: string;
afterEach(() => {
  chmodSync(root, 0o700);
  rmSync(root, { recursive: true, force: true });
});

describe('backupDataDir', () => {
  it('copies the data dir beside it, or into --backup-dir, never over an earlier backup', () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-backup-'));
    const dir = join(root, 'data');
    mkdirSync(join(dir, 'db'), { recursive: true });
    writeFileSync(join(dir, 'db', 'raft.db'), 'log');
    const now = new Date('2026-05-06T07:08:09.123Z');
    expect(stamp(now)).toBe('20260506T070809Z');
    const a = backupDataDir(dir, now);
    const b = backupDataDir(dir, now);
    expect(a).toBe(join(root, 'data.backup-20260506T070809Z'));
    expect(b).toBe(`${a}-2`);
    expect(readFileSync(join(b, 'db', 'raft.db'), 'utf8')).toBe('log');
    const c = backupDataDir(dir, now, join(root, 'elsewhere'));
    expect(c).toBe(join(root, 'elsewhere', 'data.backup-20260506T070809Z'));
    expect(() => backupDataDir(dir, now, join(dir, 'db'))).toThrow(/inside the data dir/);
  });

  // root ignores directory permissions: only an ordinary user (as in the container image) sees EACCES.
  it.skipIf(process.getuid?.() === 0)('says to use --backup-dir when the place beside the data dir is not writable (a container volume)', () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-backup-'));
    const dir = join(root, 'data');
    mkdirSync(dir);
    chmodSync(root, 0o500);
    expect(() => backupDataDir(dir)).toThrow(/--backup-dir/);
    expect(existsSync(join(root, 'data.backup'))).toBe(false);
  });
});
