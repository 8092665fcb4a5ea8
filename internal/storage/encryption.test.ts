import { randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from './codec.js';
import { encryptingCodec, parseEncryptionConfig } from './encryption.js';

const key = () => randomBytes(32).toString('base64');
const plurals = (apiVersion: string, kind: string) => (apiVersion === 'v1' && kind === 'Secret' ? 'secrets' : apiVersion === 'v1' && kind === 'ConfigMap' ? 'configmaps' : undefined);
const config = (providers: object[]) => parseEncryptionConfig({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources: ['secrets'], providers }] });
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { password: Buffer.from('hunter2-plaintext').toString('base64') }, stringData: undefined };

describe('encryption at rest', () => {
  for (const kind of ['aesgcm', 'aescbc', 'secretbox']) {
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

  it('secretbox: NaCl layout (tag then ciphertext), as upstream\'s values; a wrong key fails; providers rotate in order', () => {
    // NaCl's published crypto_secretbox test vector.
    const hex = (h: string) => Buffer.from(h, 'hex');
    const naclKey = hex('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
    const nonce = hex('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37');
    const msg = hex(
      'be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31' +
        '0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705',
    );
    const box =
      'f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972' +
      '71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5';
    expect(Buffer.from(xsalsa20poly1305(naclKey, nonce).encrypt(msg)).toString('hex')).toBe(box);
    const k1 = { name: 'k1', secret: key() };
    const sealed = encryptingCodec(jsonCodec, config([{ secretbox: { keys: [k1] } }]), plurals).encode(secret);
    expect(sealed.length).toBe('k8s:enc:secretbox:v1:k1:'.length + 24 + 16 + jsonCodec.encode(secret).length);
    const wrong = encryptingCodec(jsonCodec, config([{ secretbox: { keys: [{ name: 'k1', secret: key() }] } }]), plurals);
    expect(() => wrong.decode(sealed, 1, '/registry/secrets/ns/s')).toThrow(/cannot decrypt the value stored at \/registry\/secrets\/ns\/s: invalid tag/);
    // The first provider writes, every listed one reads: aesgcm first, then secretbox, then identity.
    const gcm = { name: 'g1', secret: key() };
    const mixed = encryptingCodec(jsonCodec, config([{ aesgcm: { keys: [gcm] } }, { secretbox: { keys: [k1] } }, { identity: {} }]), plurals);
    expect(mixed.decode(sealed, 1)).toMatchObject({ data: secret.data });
    expect(mixed.decode(jsonCodec.encode(secret), 1)).toMatchObject({ data: secret.data });
    expect(Buffer.from(mixed.encode(secret)).toString('latin1').startsWith('k8s:enc:aesgcm:v1:g1:')).toBe(true);
    // Back to secretbox first: it writes, the aesgcm values still read while aesgcm is listed.
    const back = encryptingCodec(jsonCodec, config([{ secretbox: { keys: [k1] } }, { aesgcm: { keys: [gcm] } }]), plurals);
    expect(Buffer.from(back.encode(secret)).toString('latin1').startsWith('k8s:enc:secretbox:v1:k1:')).toBe(true);
    expect(back.decode(mixed.encode(secret), 2)).toMatchObject({ data: secret.data });
    expect(() => config([{ secretbox: { keys: [{ name: 'k', secret: randomBytes(16).toString('base64') }] } }])).toThrow('secretbox key "k" needs a name and a base64 secret of 32 bytes');
  });

  it('refuses an unsupported provider or a bad key', () => {
    expect(() => config([{ kms: {} }])).toThrow('not supported');
    expect(() => config([{ aesgcm: { keys: [{ name: 'k', secret: 'c2hvcnQ=' }] } }])).toThrow('16, 24 or 32 bytes');
  });
});
