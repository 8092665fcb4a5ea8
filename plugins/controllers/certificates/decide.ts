import type { KubeObject } from '../../../internal/api/index.js';
import type { ParsedRequest } from './types.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

/** The signer names kube-controller-manager's signing controller serves with the cluster CA. */
export const SIGNER_NAMES = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, LEGACY_UNKNOWN];

/** Upstream's default --cluster-signing-duration and the lower bound on a requested duration. */
export const MAX_TTL_MS = 365 * 24 * 3600 * 1000;
const MIN_TTL_MS = 10 * 60 * 1000;
/** Issued certificates start this much in the past, for clock skew (upstream's backdate). */
export const BACKDATE_MS = 5 * 60 * 1000;

interface Condition {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export function conditions(csr: KubeObject): Condition[] {
  const list = (csr.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(list) ? (list as Condition[]) : [];
}

const hasTrue = (csr: KubeObject, type: string) => conditions(csr).some((c) => c.type === type && (c.status ?? 'True') === 'True');

export type SignDecision = { action: 'none' } | { action: 'sign'; usages: string[]; notBefore: number; notAfter: number } | { action: 'fail'; message: string };

/**
 * What the signing controller does with a CSR (upstream's csrsigning): only approved requests that
 * have not failed and hold no certificate, for a signer it serves; a request its signer refuses gets
 * a Failed condition (SignerValidationFailure) with the refusal as message.
 */
export function signDecision(csr: KubeObject, parse: (pem: string) => ParsedRequest, now: number): SignDecision {
  if (!hasTrue(csr, 'Approved') || hasTrue(csr, 'Failed') || hasTrue(csr, 'Denied')) return { action: 'none' };
  const status = csr.status as { certificate?: string } | undefined;
  if (status?.certificate) return { action: 'none' };
  const spec = (csr.spec ?? {}) as { signerName?: string; usages?: string[]; request?: string; expirationSeconds?: number };
  if (!spec.signerName || !SIGNER_NAMES.includes(spec.signerName)) return { action: 'none' };
  let req: ParsedRequest;
  try {
    req = parse(Buffer.from(spec.request ?? '', 'base64').toString('utf8'));
  } catch (err) {
    return { action: 'fail', message: `unable to parse csr "${csr.metadata.name}": ${(err as Error).message}` };
  }
  const usages = spec.usages ?? [];
  const refused = signerRefusal(spec.signerName, req, usages);
  if (refused) return { action: 'fail', message: refused };
  return { action: 'sign', usages, notBefore: now - BACKDATE_MS, notAfter: now + duration(spec.expirationSeconds) };
}

/** spec.expirationSeconds honoured between 10 minutes and the signing duration, as upstream. */
export function duration(expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined) return MAX_TTL_MS;
  return Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, expirationSeconds * 1000));
}

const sameSet = (a: string[], b: string[]) => new Set(a).size === b.length && b.every((u) => a.includes(u)) && a.every((u) => b.includes(u));

/** Each signer's checks of the request, with upstream's messages; undefined = it may be signed. */
export function signerRefusal(signerName: string, req: ParsedRequest, usages: string[]): string | undefined {
  switch (signerName) {
    case KUBE_APISERVER_CLIENT: {
      for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) return `invalid usage for client certificate: ${u}`;
      return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
    }
    case KUBE_APISERVER_CLIENT_KUBELET: {
      if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
      if (req.emails.length > 0) return 'Email subjectAltNames are not allowed';
      if (req.ips.length > 0) return 'IP subjectAltNames are not allowed';
      if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
      if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      const set = [...new Set(usages)];
      if (!sameSet(set, ['digital signature', 'key encipherment', 'client auth']) && !sameSet(set, ['digital signature', 'client auth'])) {
        return 'usages did not match [client auth digital signature key encipherment]';
      }
      return undefined;
    }
    case KUBELET_SERVING: {
      if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (req.dnsNames.length === 0 && req.ips.length === 0) return 'DNS or IP subjectAltName is required';
      if (req.emails.length > 0) return 'Email subjectAltNames are not allowed';
      if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
      const set = [...new Set(usages)];
      if (!sameSet(set, ['digital signature', 'key encipherment', 'server auth']) && !sameSet(set, ['digital signature', 'server auth'])) {
        return 'usages did not match [digital signature key encipherment server auth]';
      }
      return req.commonName.startsWith('system:node:') ? undefined : 'subject common name does not begin with system:node:';
    }
    default:
      return undefined; // legacy-unknown: no restrictions, as upstream keeps for compatibility
  }
}
