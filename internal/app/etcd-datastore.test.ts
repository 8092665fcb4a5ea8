import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveEtcdSettings } from './etcd-datastore.js';

describe('resolveEtcdSettings', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'kplane-etcd-settings-'));
    mkdirSync(join(d, 'db'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('records the flags, and a later start without them uses the recorded ones', () => {
    const d = dir();
    const first = resolveEtcdSettings(d, { servers: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'] });
    expect(first).toEqual({ servers: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], prefix: '/registry' });
    expect(JSON.parse(readFileSync(join(d, 'db', 'etcd.json'), 'utf8')).servers).toHaveLength(2);
    expect(resolveEtcdSettings(d, {})).toEqual(first);
    // Members may be replaced; the new list is remembered.
    expect(resolveEtcdSettings(d, { servers: ['https://10.0.0.3:2379'] }).servers).toEqual(['https://10.0.0.3:2379']);
    expect(resolveEtcdSettings(d, {}).servers).toEqual(['https://10.0.0.3:2379']);
  });

  it.each([
    [{}, /needs --etcd-servers/],
    [{ servers: ['10.0.0.1:2379'] }, /not an http\(s\):\/\/host:port URL/],
    [{ servers: ['http://a:2379'], prefix: 'registry' }, /must start with/],
    [{ servers: ['http://a:2379'], certfile: '/x' }, /go together/],
    [{ servers: ['http://a:2379'], cafile: '/does/not/exist' }, /not found/],
  ])('refuses %j', (given, message) => {
    expect(() => resolveEtcdSettings(dir(), given)).toThrow(message);
  });

  it('refuses another prefix than the one the cluster lives under', () => {
    const d = dir();
    resolveEtcdSettings(d, { servers: ['http://a:2379'], prefix: '/one' });
    expect(() => resolveEtcdSettings(d, { prefix: '/two' })).toThrow(/cannot change/);
    expect(resolveEtcdSettings(d, { prefix: '/one' }).prefix).toBe('/one');
  });
});
