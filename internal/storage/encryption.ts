import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import type { KubeObject } from '../api/index.js';
import { ConfigError } from '../util/index.js';
import type { Codec } from './codec.js';
import { StorageError } from './errors.js';

// Encryption at rest with upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1): the
// first provider of a resource encrypts what is written; every listed provider decrypts what it
// wrote, so keys rotate by adding a key first, rewriting (`kubectl get secrets -A -o json |
// kubectl replace -f -`), then removing the old key. Values carry upstream's prefix
// "k8s:enc:<provider>:v1:<key name>:", then the nonce or IV and the ciphertext. secretbox is
// XSalsa20-Poly1305 (NaCl's secretbox: 24-byte nonce, then the 16-byte tag, then the ciphertext),
// which Node's crypto lacks: @noble/ciphers (audited, no dependencies) provides it.

type ProviderKind = 'aesgcm' | 'aescbc' | 'secretbox' | 'identity';

interface Provider {
  kind: ProviderKind;
  keys: { name: string; secret: Buffer }[];
}

export interface EncryptionConfig {
  /** resource ("secrets", "configmaps", "deployments.apps") → providers in order. */
  resources: Map<string, Provider[]>;
}

const PREFIX = 'k8s:enc:';

/** Parses an EncryptionConfiguration object (already read from YAML or JSON); throws ConfigError. */
export function parseEncryptionConfig(doc: unknown): EncryptionConfig {
  const d = doc as { kind?: string; apiVersion?: string; resources?: { resources?: string[]; providers?: Record<string, { keys?: { name?: string; secret?: string }[] }>[] }[] };
  if (d?.kind !== 'EncryptionConfiguration') throw new ConfigError('--encryption-provider-config: kind must be EncryptionConfiguration');
  const resources = new Map<string, Provider[]>();
  for (const entry of d.resources ?? []) {
    const providers: Provider[] = [];
    for (const p of entry.providers ?? []) {
      const [kind, body] = Object.entries(p)[0] ?? [];
      if (kind === 'identity') {
        providers.push({ kind, keys: [] });
        continue;
      }
      if (kind !== 'aesgcm' && kind !== 'aescbc' && kind !== 'secretbox') throw new ConfigError(`--encryption-provider-config: provider "${kind}" is not supported (aesgcm, aescbc, secretbox, identity)`);
      const sizes = kind === 'secretbox' ? [32] : [16, 24, 32];
      const keys = (body?.keys ?? []).map((k) => {
        const secret = Buffer.from(k.secret ?? '', 'base64');
        if (!k.name || !sizes.includes(secret.length)) throw new ConfigError(`--encryption-provider-config: ${kind} key "${k.name ?? ''}" needs a name and a base64 secret of ${sizes.length > 1 ? '16, 24 or 32' : '32'} bytes`);
        return { name: k.name, secret };
      });
      if (!keys.length) throw new ConfigError(`--encryption-provider-config: ${kind} needs at least one key`);
      providers.push({ kind, keys });
    }
    if (!providers.length) throw new ConfigError('--encryption-provider-config: every resources entry needs providers');
    for (const r of entry.resources ?? []) resources.set(r, providers);
  }
  return { resources };
}

const aesName = (kind: 'gcm' | 'cbc', key: Buffer) => `aes-${key.length * 8}-${kind}` as const;

function encrypt(p: Provider, plain: Uint8Array): Uint8Array {
  if (p.kind === 'identity') return plain;
  const key = p.keys[0]!;
  const head = Buffer.from(`${PREFIX}${p.kind}:v1:${key.name}:`);
  if (p.kind === 'aesgcm') {
    const nonce = randomBytes(12);
    const c = createCipheriv(aesName('gcm', key.secret), key.secret, nonce) as CipherGCM;
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([head, nonce, body, c.getAuthTag()]);
  }
  if (p.kind === 'secretbox') {
    const nonce = randomBytes(24);
    return Buffer.concat([head, nonce, xsalsa20poly1305(key.secret, nonce).encrypt(plain)]);
  }
  const iv = randomBytes(16);
  const c = createCipheriv(aesName('cbc', key.secret), key.secret, iv);
  return Buffer.concat([head, iv, c.update(plain), c.final()]);
}

function decrypt(providers: Provider[], value: Uint8Array, key: string | undefined): Uint8Array {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (!buf.subarray(0, PREFIX.length).equals(Buffer.from(PREFIX))) return value;
  const text = buf.subarray(0, 200).toString('latin1');
  const m = /^k8s:enc:(aesgcm|aescbc|secretbox):v1:([^:]+):/.exec(text);
  const fail = (why: string) => new StorageError('Corrupt', `cannot decrypt the value stored at ${key ?? '?'}: ${why}`, { key });
  if (!m) throw fail('unknown encryption prefix');
  const secret = providers.find((p) => p.kind === m[1])?.keys.find((k) => k.name === m[2])?.secret;
  if (!secret) throw fail(`no ${m[1]} key named "${m[2]}" in the encryption configuration`);
  const rest = buf.subarray(m[0].length);
  try {
    if (m[1] === 'aesgcm') {
      const d = createDecipheriv(aesName('gcm', secret), secret, rest.subarray(0, 12)) as DecipherGCM;
      d.setAuthTag(rest.subarray(rest.length - 16));
      return Buffer.concat([d.update(rest.subarray(12, rest.length - 16)), d.final()]);
    }
    if (m[1] === 'secretbox') return xsalsa20poly1305(secret, rest.subarray(0, 24)).decrypt(rest.subarray(24));
    const d = createDecipheriv(aesName('cbc', secret), secret, rest.subarray(0, 16));
    return Buffer.concat([d.update(rest.subarray(16)), d.final()]);
  } catch (err) {
    throw fail((err as Error).message);
  }
}

/** The configuration's resource name of an object: "secrets", or "<plural>.<group>". */
function resourceOf(obj: KubeObject, plurals: (apiVersion: string, kind: string) => string | undefined): string | undefined {
  const plural = plurals(obj.apiVersion ?? '', obj.kind ?? '');
  if (!plural) return undefined;
  const group = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/')[0] : '';
  return group ? `${plural}.${group}` : plural;
}

/**
 * A codec that encrypts the resources the configuration lists (with their first provider) and
 * decrypts any value carrying the k8s:enc: prefix. `plurals` maps apiVersion + kind to the plural.
 */
export function encryptingCodec(base: Codec, config: EncryptionConfig, plurals: (apiVersion: string, kind: string) => string | undefined): Codec {
  const all = [...new Set([...config.resources.values()].flat())];
  return {
    encode(obj) {
      const plain = base.encode(obj);
      const r = resourceOf(obj, plurals);
      const providers = (r && config.resources.get(r)) || config.resources.get('*.*');
      return providers ? encrypt(providers[0]!, plain) : plain;
    },
    decode(value, revision, key) {
      return base.decode(decrypt(all, value, key), revision, key);
    },
    ...(base.written ? { written: base.written.bind(base) } : {}),
  };
}
