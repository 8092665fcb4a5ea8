import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from './codec.js';
import { encryptingCodec, parseEncryptionConfig } from './encryption.js';

const key = () => randomBytes(32).toString('base64');
const plurals = (apiVersion: string, kind: string) => (apiVersion === 'v1' && kind === 'Secret' ? 'secrets' : apiVersion === 'v1' && kind === 'ConfigMap' ? 'configmaps' : undefined);
const config = (providers: object[]) => parseEncryptionConfig({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources: ['secrets'], providers }] });
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { password: Buffer.from('hunter2-plaintext').toString('base64') }, stringData: undefined };

describe('encryption at rest', () => {
  for (const kind of ['aesgcm', 'aescbc']) {
    it(`${kind}: stored bytes carry the prefix and no plain text; decode round-trips`, () => {
      const codec = encryptingCodec(jsonCodec, config([{ [kind]: { keys: [{ name: 'k1', secret: key() }] } }, { identity: {} }]), plurals);
      const bytes = codec.encode(secret);
      const text = Buffer.from(bytes).toString('latin1');
      expect(text.startsWith(`k8s:enc:${kind}:v1:k1:`)).toBe(true);
      expect(text).not.toContain(secret.data.password);
      expect(text).not.toContain('"name":"s"');
      expect(codec.decode(bytes, 7, '/registry/secrets/ns/s')).toMatchObject({ data: secret.data, metadata: { resourceVersion: '7' } });
    });
  }

  it('leaves other resources plain; reads plain values written before encryption', () => {
    const codec = encryptingCodec(jsonCodec, config([{ aesgcm: { keys: [{ name: 'k1', secret: key() }] } }]), plurals);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(Buffer.from(codec.encode(cm)).toString()).toContain('"a":"b"');
    expect(codec.decode(jsonCodec.encode(secret), 1)).toMatchObject({ data: secret.data });
  });

  it('rotation: a new first key encrypts, the old one still decrypts, and without it old values fail', () => {
    const k1 = { name: 'k1', secret: key() };
    const k2 = { name: 'k2', secret: key() };
    const old = encryptingCodec(jsonCodec, config([{ aesgcm: { keys: [k1] } }]), plurals).encode(secret);
    const both = encryptingCodec(jsonCodec, config([{ aesgcm: { keys: [k2, k1] } }]), plurals);
    expect(both.decode(old, 1)).toMatchObject({ data: secret.data });
    const rewritten = both.encode(both.decode(old, 1));
    expect(Buffer.from(rewritten).toString('latin1').startsWith('k8s:enc:aesgcm:v1:k2:')).toBe(true);
    const onlyNew = encryptingCodec(jsonCodec, config([{ aesgcm: { keys: [k2] } }]), plurals);
    expect(onlyNew.decode(rewritten, 2)).toMatchObject({ data: secret.data });
    expect(() => onlyNew.decode(old, 1)).toThrow('no aesgcm key named "k1"');
  });

  it('refuses an unsupported provider or a bad key', () => {
    expect(() => config([{ kms: {} }])).toThrow('not supported');
    expect(() => config([{ aesgcm: { keys: [{ name: 'k', secret: 'c2hvcnQ=' }] } }])).toThrow('16, 24 or 32 bytes');
  });
});
