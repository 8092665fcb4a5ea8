import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdsSingleNodeStore, recordDatastore, resolveDatastore } from './datastore.js';

describe('resolveDatastore', () => {
  const dirs: string[] = [];
  const dir = (files: string[] = []) => {
    const d = mkdtempSync(join(tmpdir(), 'kplane-ds-'));
    dirs.push(d);
    mkdirSync(join(d, 'db'));
    for (const f of files) writeFileSync(join(d, 'db', f), '');
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('defaults a new data dir to the replicated store', () => {
    expect(resolveDatastore(dir()).kind).toBe('raftsqlite');
    expect(resolveDatastore(join(tmpdir(), 'kplane-ds-does-not-exist')).kind).toBe('raftsqlite');
  });

  it('keeps the store a data dir was created with', () => {
    const d = dir();
    recordDatastore(d, 'sqlite');
    expect(readFileSync(join(d, 'db', 'datastore'), 'utf8')).toBe('sqlite\n');
    expect(resolveDatastore(d)).toEqual({ kind: 'sqlite', why: 'the data dir holds a sqlite datastore' });
    expect(holdsSingleNodeStore(d)).toBe(true);
    // The marker wins over files: a raftsqlite dir whose raft.db is not there yet stays raftsqlite.
    const r = dir(['state.db']);
    recordDatastore(r, 'raftsqlite');
    expect(resolveDatastore(r).kind).toBe('raftsqlite');
    expect(holdsSingleNodeStore(r)).toBe(false);
    expect(holdsSingleNodeStore(dir())).toBe(false);
  });

  it('reads data dirs from before the marker by their files', () => {
    expect(resolveDatastore(dir(['state.db'])).kind).toBe('sqlite');
    expect(resolveDatastore(dir(['state.db', 'raft.db'])).kind).toBe('raftsqlite');
  });

  it('refuses to open a data dir as another store', () => {
    const d = dir();
    recordDatastore(d, 'sqlite');
    expect(() => resolveDatastore(d, 'raftsqlite')).toThrow(/holds a sqlite datastore; it cannot be opened as raftsqlite/);
    expect(resolveDatastore(d, 'sqlite').kind).toBe('sqlite');
    expect(resolveDatastore(d, 'memory').kind).toBe('memory');
    expect(() => resolveDatastore(d, 'etcd3')).toThrow(/--datastore must be one of/);
  });

  it('honours an explicit choice on a new data dir', () => {
    expect(resolveDatastore(dir(), 'sqlite').kind).toBe('sqlite');
    expect(resolveDatastore(dir(), 'raftsqlite').kind).toBe('raftsqlite');
  });
});
