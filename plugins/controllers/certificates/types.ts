/** What the signing controller needs to know of a PKCS#10 request (parsed by the signer it is given). */
export interface ParsedRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

/**
 * The cluster CA as the signing controller sees it: the composition root holds the key and does
 * the X.509 work; the controller decides what may be signed and for how long.
 */
export interface CsrSigner {
  /** Parses a PEM request and checks its self-signature; throws with the reason when it cannot. */
  parse(requestPem: string): ParsedRequest;
  /** Issues a certificate (PEM) for the request's key, subject and names, with these usages and validity. */
  sign(requestPem: string, opts: { usages: string[]; notBefore: number; notAfter: number }): string;
}
