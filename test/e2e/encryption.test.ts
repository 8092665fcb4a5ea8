import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl, removeDir, startKplane, type RunningKplane } from './harness.js';

// Secrets encrypted at rest (--encryption-provider-config, upstream's EncryptionConfiguration): the
// value is not in any file of the data dir (state machine and Raft log), and a key rotates by
// rewriting every Secret, after which the old key can be removed (here from aesgcm to secretbox).
const MARKER = `plaintext-${randomBytes(6).toString('hex')}`;
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
type Key = { name: string; secret: string };
const providerYaml = (kind: string, keys: Key[]) => `  - ${kind}:\n      keys:\n${keys.map((k) => `      - name: ${k.name}\n        secret: ${k.secret}\n`).join('')}`;
const configYaml = (providers: [string, Key[]][]) =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n${providers.map(([kind, keys]) => providerYaml(kind, keys)).join('')}  - identity: {}\n`;

let kp: RunningKplane | undefined;
afterAll(async () => {
  await kp?.stop();
  if (kp) removeDir(kp.dataDir);
});

/** Whether any file under the data dir's db/ (state, Raft log, snapshots) contains text. */
function dataDirHas(dir: string, text: string): boolean {
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? walk(join(d, e.name)) : readFileSync(join(d, e.name)).includes(text)));
  return walk(join(dir, 'db'));
}

describe('Secrets encrypted at rest', () => {
  it('keeps Secret values out of the data dir, and rotates keys by rewriting', async () => {
    const start = async (dataDir: string | undefined, providers: [string, Key[]][]) => {
      const cfg = join(dataDir ?? '/tmp', `enc-${randomBytes(4).toString('hex')}.yaml`);
      writeFileSync(cfg, configYaml(providers));
      return startKplane({ ...(dataDir ? { dataDir } : {}), args: ['--encryption-provider-config', cfg] });
    };
    kp = await start(undefined, [['aesgcm', [{ name: 'k1', secret: k1 }]]]);
    const k = (args: string[], input?: string) => kubectl(kp!.kubeconfig, args, { version: '1.33', input });
    expect(k(['create', 'secret', 'generic', 'db', `--from-literal=password=${MARKER}`]).code).toBe(0);
    expect(k(['create', 'configmap', 'plain', `--from-literal=note=${MARKER}-cm`]).code).toBe(0);
    expect(Buffer.from(k(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']).stdout, 'base64').toString()).toBe(MARKER);
    const dir = kp.dataDir;
    await kp.stop();
    expect(dataDirHas(dir, `${MARKER}-cm`) || dataDirHas(dir, Buffer.from(`${MARKER}-cm`).toString('base64'))).toBe(true); // the check can see plain values
    expect(dataDirHas(dir, Buffer.from(MARKER).toString('base64'))).toBe(false);
    expect(dataDirHas(dir, 'k8s:enc:aesgcm:v1:k1:')).toBe(true);

    // Rotation to another provider: secretbox k2 first (aesgcm k1 still decrypts), rewrite every Secret, then drop k1.
    kp = await start(dir, [['secretbox', [{ name: 'k2', secret: k2 }]], ['aesgcm', [{ name: 'k1', secret: k1 }]]]);
    const all = k(['get', 'secrets', '-A', '-o', 'json']);
    expect(all.code, all.stderr).toBe(0);
    const replaced = k(['replace', '-f', '-'], all.stdout);
    expect(replaced.code, replaced.stderr).toBe(0);
    await kp.stop();
    kp = await start(dir, [['secretbox', [{ name: 'k2', secret: k2 }]]]);
    expect(Buffer.from(k(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']).stdout, 'base64').toString()).toBe(MARKER);
    expect(dataDirHas(dir, 'k8s:enc:secretbox:v1:k2:')).toBe(true);
    expect(dataDirHas(dir, Buffer.from(MARKER).toString('base64'))).toBe(false);
  });
});
