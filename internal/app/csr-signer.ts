import { createPublicKey, verify } from 'node:crypto';
import type forge from 'node-forge';
import type { CsrSigner, ParsedRequest } from '../../plugins/index.js';
import { lazyModule } from '../util/index.js';
import { type KeyPair, signSpki } from './pki.js';

const nodeForge = lazyModule<typeof forge>('node-forge');

/** CSR signature algorithms accepted (Go's x509 refuses SHA-1 ones, as here), by OID: digest name, null for Ed25519. */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};
const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** upstream's key usage names → forge keyUsage flags, and extended usages → OIDs. */
const KEY_USAGES: Record<string, string> = {
  signing: 'digitalSignature', 'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment', 'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign', 'crl sign': 'cRLSign', 'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0', 'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 's/mime': '1.3.6.1.5.5.7.3.4', 'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6', 'ipsec user': '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9', 'microsoft sgc': '1.3.6.1.4.1.311.10.3.3', 'netscape sgc': '2.16.840.1.113730.4.1',
};

interface Request {
  parsed: ParsedRequest;
  subject: forge.pki.CertificateField[];
  spki: Buffer;
}

const children = (a: forge.asn1.Asn1): forge.asn1.Asn1[] => (Array.isArray(a.value) ? a.value : []);
const der = (a: forge.asn1.Asn1) => Buffer.from(nodeForge().asn1.toDer(a).getBytes(), 'binary');
const oidOf = (a: forge.asn1.Asn1 | undefined) => (a ? nodeForge().asn1.derToOid(a.value as string) : '');

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
  throw new Error('an IP subjectAltName must be 4 or 16 bytes');
}

/** Reads a PKCS#10 request of any key type (RSA, ECDSA, Ed25519) and checks its self-signature. */
function readRequest(pem: string): Request {
  const f = nodeForge();
  const block = /-----BEGIN CERTIFICATE REQUEST-----([\s\S]*?)-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!block) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  // forge would otherwise read an ECDSA signature (a DER SEQUENCE) inside its BIT STRING as ASN.1.
  const fromDer = f.asn1.fromDer as unknown as (bytes: string, opts: { decodeBitStrings: boolean }) => forge.asn1.Asn1;
  const [info, alg, sig] = children(fromDer(Buffer.from(block[1]!.replace(/\s+/g, ''), 'base64').toString('binary'), { decodeBitStrings: false }));
  const [, name, spkiAsn1, attrs] = info ? children(info) : [];
  if (!info || !alg || !sig || !name || !spkiAsn1) throw new Error('malformed certificate request');
  const algOid = oidOf(children(alg)[0]);
  if (!(algOid in SIGNATURE_DIGESTS)) throw new Error(`unsupported signature algorithm ${algOid}`);
  const spki = der(spkiAsn1);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const signature = Buffer.from((sig.value as string).slice(1), 'binary'); // BIT STRING: drop the unused-bits byte
  if (!verify(SIGNATURE_DIGESTS[algOid]!, der(info), key, signature)) throw new Error('the request\'s signature does not verify');
  const subject = (f.pki as unknown as { RDNAttributesAsArray(rdn: forge.asn1.Asn1): forge.pki.CertificateField[] }).RDNAttributesAsArray(name);
  const parsed: ParsedRequest = {
    commonName: String(subject.find((a) => a.type === OID_CN)?.value ?? ''),
    organizations: subject.filter((a) => a.type === OID_O).map((a) => String(a.value)),
    dnsNames: [], ips: [], emails: [], uris: [],
  };
  for (const attr of attrs ? children(attrs) : []) {
    const [oid, values] = children(attr);
    if (oidOf(oid) !== OID_EXTENSION_REQUEST || !values) continue;
    for (const ext of children(children(values)[0] ?? ({} as forge.asn1.Asn1))) {
      const parts = children(ext);
      if (oidOf(parts[0]) !== OID_SUBJECT_ALT_NAME) continue;
      for (const gn of children(f.asn1.fromDer(parts[parts.length - 1]!.value as string))) {
        const v = gn.value as string;
        if (gn.type === 1) parsed.emails.push(v);
        else if (gn.type === 2) parsed.dnsNames.push(v);
        else if (gn.type === 6) parsed.uris.push(v);
        else if (gn.type === 7) parsed.ips.push(ipText(Buffer.from(v, 'binary')));
      }
    }
  }
  return { parsed, subject, spki };
}

/** The cluster CA as the CSR signing controller's signer (only on a node holding the CA key). */
export function caCsrSigner(ca: KeyPair): CsrSigner {
  return {
    parse: (pem) => readRequest(pem).parsed,
    sign(pem, opts) {
      const { parsed, subject, spki } = readRequest(pem);
      const keyUsage: Record<string, boolean> = {};
      for (const u of opts.usages) if (KEY_USAGES[u]) keyUsage[KEY_USAGES[u]!] = true;
      const extKeyUsage = [...new Set(opts.usages.flatMap((u) => (EXT_KEY_USAGES[u] ? [EXT_KEY_USAGES[u]!] : [])))];
      const altNames = [
        ...parsed.emails.map((value) => ({ type: 1, value })),
        ...parsed.dnsNames.map((value) => ({ type: 2, value })),
        ...parsed.uris.map((value) => ({ type: 6, value })),
        ...parsed.ips.map((ip) => ({ type: 7, ip })),
      ];
      return signSpki(ca, spki, { subject, altNames, keyUsage, extKeyUsage, notBefore: opts.notBefore, notAfter: opts.notAfter });
    },
  };
}
