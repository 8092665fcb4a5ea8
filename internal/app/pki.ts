import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import type forge from 'node-forge';
import { lazyModule } from '../util/index.js';

// Only a first start (or a reissue) signs certificates: a restart must not pay for loading node-forge.
const nodeForge = lazyModule<typeof forge>('node-forge');

/**
 * Cluster PKI: a self-signed CA, a serving certificate and client certificates.
 * Keys are generated and signatures made with Node's native crypto (OpenSSL); node-forge only
 * builds and parses the X.509 structures, which Node's crypto cannot do.
 */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface Subject {
  commonName: string;
  organizations?: string[];
}

const DAY_MS = 24 * 3600 * 1000;

function newRsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/**
 * A fresh ECDSA P-256 key (PKCS#8 PEM), for serving certificates: the server signs every full TLS
 * handshake with its key, and a P-256 signature costs about a twentieth of an RSA-2048 one (0.04 ms
 * against 0.8 ms of the event loop here), which counts when a thousand connections arrive at once.
 */
function newEcKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * The SubjectPublicKeyInfo of a P-256 key (private or public PEM), as forge ASN.1: forge builds
 * only RSA keys into certificates, so an ECDSA key's is put in place of the RSA placeholder.
 */
function ecSpkiOf(keyPem: string): forge.asn1.Asn1 {
  if (!isEcP256Key(keyPem)) throw new Error('not an ECDSA P-256 key');
  const key = createPublicKey(keyPem);
  return nodeForge().asn1.fromDer(key.export({ type: 'spki', format: 'der' }).toString('binary'));
}

function subjectAttrs(s: Subject): forge.pki.CertificateField[] {
  return [
    ...(s.organizations ?? []).map((o) => ({ shortName: 'O', value: o })),
    { shortName: 'CN', value: s.commonName },
  ];
}

type RsaPublic = { n: forge.jsbn.BigInteger; e: forge.jsbn.BigInteger };

/** The public half of an RSA key PEM, as forge numbers. */
function publicOf(keyPem: string): RsaPublic {
  return nodeForge().pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
}

function baseCert(pub: RsaPublic, subject: Subject, validDays: number, now: number): forge.pki.Certificate {
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = nodeForge().pki.setRsaPublicKey(pub.n, pub.e);
  // Positive serial: high bit cleared.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now - 5 * 60 * 1000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now + validDays * DAY_MS);
  cert.setSubject(subjectAttrs(subject));
  return cert;
}

/** What forge's own sign() uses to build the DER it signs (exported by forge, missing from its types). */
interface ForgeInternals {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
}

/**
 * The RSASSA-PKCS1-v1_5 SHA-256 signature of `tbs` (DER), as forge's own sign() makes it, but by
 * OpenSSL: forge's pure-JS RSA took about 67 ms of CPU per signature here, OpenSSL about 2 ms. It
 * matters most on the node holding the CA key, which signs three certificates per join on the event
 * loop that serves the API.
 */
function signDer(tbs: forge.asn1.Asn1, signerKeyPem: string): string {
  return rsaSign('sha256', Buffer.from(nodeForge().asn1.toDer(tbs).getBytes(), 'binary'), signerKeyPem).toString('binary');
}

/** Fills in a certificate's or CSR's SHA-256 RSA signature fields, as forge's sign() does; `info` builds the signed part. */
function signFields<T extends { siginfo: { algorithmOid: string | null }; signature: unknown }>(obj: T, info: (o: T) => forge.asn1.Asn1, signerKeyPem: string): forge.asn1.Asn1 {
  const f = nodeForge();
  const o = obj as T & { md: forge.md.MessageDigest; signatureOid: string };
  o.md = f.md.sha256.create();
  o.signatureOid = o.siginfo.algorithmOid = f.pki.oids.sha256WithRSAEncryption!;
  const tbs = info(o);
  o.signature = signDer(tbs, signerKeyPem);
  return tbs;
}

/** TBSCertificate's fields in order: version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions. */
const TBS_SPKI = 6;

/** Signs `cert`; with `spki`, that key (DER ASN.1) replaces the certificate's own RSA public key. */
function sign(cert: forge.pki.Certificate, signerKeyPem: string, spki?: forge.asn1.Asn1): string {
  const internals = nodeForge().pki as unknown as ForgeInternals;
  const tbsOf = (c: forge.pki.Certificate) => {
    const tbs = internals.getTBSCertificate(c);
    if (spki) (tbs.value as forge.asn1.Asn1[])[TBS_SPKI] = spki;
    return tbs;
  };
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = signFields(cert, tbsOf, signerKeyPem);
  return nodeForge().pki.certificateToPem(cert);
}

export function createCA(commonName = 'kplane-ca', now = Date.now()): KeyPair {
  const keyPem = newRsaKeyPem();
  return { certPem: selfSign(keyPem, commonName, 3650, true, now), keyPem };
}

/**
 * A short-lived self-signed serving certificate for an existing key: a joining node proves with it,
 * in a TLS handshake, that it holds the key of its CSR before it has a certificate from the CA.
 */
export function selfSignedCert(keyPem: string, commonName: string, now = Date.now()): string {
  return selfSign(keyPem, commonName, 1, false, now);
}

function selfSign(keyPem: string, commonName: string, validDays: number, ca: boolean, now: number): string {
  const cert = baseCert(publicOf(keyPem), { commonName }, validDays, now);
  cert.setIssuer(subjectAttrs({ commonName }));
  cert.setExtensions(
    ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
        ],
  );
  return sign(cert, keyPem);
}

/** The public key of a CSR as PEM (SPKI). */
export function csrPublicKeyPem(csrPem: string): string {
  const f = nodeForge();
  return f.pki.publicKeyToPem(f.pki.certificationRequestFromPem(csrPem).publicKey as forge.pki.rsa.PublicKey);
}

export interface IssueOptions {
  subject: Subject;
  /** DNS names and IP addresses; makes it a serving certificate. */
  dnsNames?: string[];
  ips?: string[];
  client?: boolean;
  server?: boolean;
  validDays?: number;
  now?: number;
  /** The fresh key's type (issueCert): RSA-2048 unless 'ecdsa' (P-256). */
  keyType?: 'rsa' | 'ecdsa';
}

/** Issues a certificate signed by the CA for a fresh key. */
export function issueCert(ca: KeyPair, opts: IssueOptions): KeyPair {
  if (opts.keyType === 'ecdsa') {
    const keyPem = newEcKeyPem();
    return { certPem: signEcPublicKey(ca, keyPem, opts), keyPem };
  }
  const keyPem = newRsaKeyPem();
  return { certPem: signPublicKey(ca, publicOf(keyPem), opts), keyPem };
}

/** Whether `pem` is an ECDSA P-256 key (public, or private). */
export function isEcP256Key(pem: string): boolean {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** A fresh ECDSA P-256 key and its public half (SPKI PEM), for a serving certificate signed elsewhere. */
export function createEcKey(): { keyPem: string; publicKeyPem: string } {
  const keyPem = newEcKeyPem();
  return { keyPem, publicKeyPem: createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * Signs an ECDSA P-256 public key (or the public half of a private key; PEM) with the CA, for the
 * subject, names and usages of `opts`. Throws on any other key.
 */
export function signEcPublicKey(ca: KeyPair, keyPem: string, opts: IssueOptions): string {
  const spki = ecSpkiOf(keyPem);
  // The certificate is built around the CA's RSA public key, which the signed bytes do not contain.
  return signPublicKey(ca, publicOf(ca.keyPem), opts, spki);
}

function signPublicKey(ca: KeyPair, pub: RsaPublic, opts: IssueOptions, spki?: forge.asn1.Asn1): string {
  const now = opts.now ?? Date.now();
  const caCert = nodeForge().pki.certificateFromPem(ca.certPem);
  const cert = baseCert(pub, opts.subject, opts.validDays ?? 365, now);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(opts.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    // Key encipherment is RSA key transport; an ECDSA key only signs.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: !spki, critical: true },
    { name: 'extKeyUsage', serverAuth: !!opts.server, clientAuth: !!opts.client },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return sign(cert, ca.keyPem, spki);
}

/** A certificate to issue for a key given as its SubjectPublicKeyInfo (a CSR's, of any algorithm). */
export interface CertificateTemplate {
  subject: forge.pki.CertificateField[];
  /** forge altNames: { type: 1 (email) | 2 (DNS) | 6 (URI), value } or { type: 7, ip }. */
  altNames: { type: number; value?: string; ip?: string }[];
  /** forge keyUsage flags (digitalSignature, keyEncipherment, …) and extended key usage OIDs. */
  keyUsage: Record<string, boolean>;
  extKeyUsage: string[];
  notBefore: number;
  notAfter: number;
}

/** DER of a SEQUENCE OF OBJECT IDENTIFIER (an extKeyUsage value; forge's own builder takes only names it knows). */
function oidSequence(oids: string[]): string {
  const { asn1 } = nodeForge();
  const items = oids.map((oid) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()));
  return asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items)).getBytes();
}

/** Signs `t` with the CA for the key `spki` (DER); notAfter is capped at the CA's own expiry. */
export function signSpki(ca: KeyPair, spki: Buffer, t: CertificateTemplate): string {
  const f = nodeForge();
  const caCert = f.pki.certificateFromPem(ca.certPem);
  const cert = baseCert(publicOf(ca.keyPem), { commonName: '' }, 1, t.notBefore);
  cert.setSubject(t.subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.validity.notBefore = new Date(t.notBefore);
  cert.validity.notAfter = new Date(Math.min(t.notAfter, caCert.validity.notAfter.getTime()));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    ...(Object.keys(t.keyUsage).length ? [{ name: 'keyUsage', ...t.keyUsage, critical: true }] : []),
    ...(t.extKeyUsage.length ? [{ id: '2.5.29.37', value: oidSequence(t.extKeyUsage) }] : []),
    ...(t.altNames.length ? [{ name: 'subjectAltName', altNames: t.altNames }] : []),
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return sign(cert, ca.keyPem, f.asn1.fromDer(spki.toString('binary')));
}

/** SHA-256 fingerprint of a certificate's DER, hex: what join tokens pin. */
export function certFingerprint(certPem: string): string {
  const der = nodeForge().asn1.toDer(nodeForge().pki.certificateToAsn1(nodeForge().pki.certificateFromPem(certPem))).getBytes();
  return createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
}

/** Subject of a certificate as CN and O, the way Kubernetes maps it to a user. */
export function certSubject(certPem: string): Subject {
  const c = nodeForge().pki.certificateFromPem(certPem);
  const cn = c.subject.getField('CN')?.value as string | undefined;
  const orgs = c.subject.attributes.filter((a) => a.shortName === 'O').map((a) => String(a.value));
  return { commonName: cn ?? '', organizations: orgs };
}

/** Seconds until the certificate expires (negative when expired). */
export function certExpiresIn(certPem: string, now = Date.now()): number {
  return (nodeForge().pki.certificateFromPem(certPem).validity.notAfter.getTime() - now) / 1000;
}

/** A fresh key and a certificate signing request for it (the joining node keeps the key). */
export function createCsr(subject: Subject): { csrPem: string; keyPem: string } {
  const keyPem = newRsaKeyPem();
  const f = nodeForge();
  const key = publicOf(keyPem);
  const csr = f.pki.createCertificationRequest();
  csr.publicKey = f.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject(subjectAttrs(subject));
  const internals = f.pki as unknown as ForgeInternals;
  (csr as forge.pki.CertificateSigningRequest & { certificationRequestInfo: forge.asn1.Asn1 }).certificationRequestInfo = signFields(csr, (r) => internals.getCertificationRequestInfo(r), keyPem);
  return { csrPem: f.pki.certificationRequestToPem(csr), keyPem };
}

/**
 * Signs the public key of a CSR (whose self-signature must verify) with the CA, using the subject,
 * names and usages of `opts`, never the ones the requester asked for.
 */
export function signCsr(ca: KeyPair, csrPem: string, opts: IssueOptions): string {
  const csr = nodeForge().pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) throw new Error('certificate signing request: bad signature');
  const pub = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!pub || !('n' in pub)) throw new Error('certificate signing request: not an RSA key');
  return signPublicKey(ca, pub, opts);
}
