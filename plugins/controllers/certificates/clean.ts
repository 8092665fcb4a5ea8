import { X509Certificate } from 'node:crypto';
import type { KubeObject } from '../../../internal/api/index.js';
import { conditions } from './decide.js';

const HOUR_MS = 3600 * 1000;
/** Upstream's csrcleaner: pending requests live a day; approved-and-issued, denied and failed ones an hour. */
export const PENDING_TTL_MS = 24 * HOUR_MS;
export const DECIDED_TTL_MS = HOUR_MS;

export type CleanDecision = { action: 'delete'; why: string } | { action: 'wait'; ms: number } | { action: 'none' };

/** When the certificate cleaner removes a CSR; `wait` says when to look again. */
export function cleanDecision(csr: KubeObject, now: number): CleanDecision {
  if (csr.metadata.deletionTimestamp) return { action: 'none' };
  const certificate = (csr.status as { certificate?: string } | undefined)?.certificate;
  const at = (type: string) => {
    const c = conditions(csr).find((x) => x.type === type && (x.status ?? 'True') === 'True');
    return c ? Date.parse(c.lastUpdateTime ?? c.lastTransitionTime ?? '') : undefined;
  };
  const deadlines: [string, number][] = [];
  if (certificate) {
    const expires = notAfter(certificate);
    if (expires !== undefined) deadlines.push(['its certificate expired', expires]);
    const approved = at('Approved');
    if (approved !== undefined && !Number.isNaN(approved)) deadlines.push(['issued over an hour ago', approved + DECIDED_TTL_MS]);
  }
  for (const type of ['Denied', 'Failed']) {
    const t = at(type);
    if (t !== undefined && !Number.isNaN(t)) deadlines.push([`${type.toLowerCase()} over an hour ago`, t + DECIDED_TTL_MS]);
  }
  const decided = ['Approved', 'Denied', 'Failed'].some((t) => at(t) !== undefined);
  if (!decided) {
    const created = Date.parse(csr.metadata.creationTimestamp ?? '');
    if (!Number.isNaN(created)) deadlines.push(['pending for over a day', created + PENDING_TTL_MS]);
  }
  if (deadlines.length === 0) return { action: 'none' };
  const [why, first] = deadlines.reduce((a, b) => (b[1] < a[1] ? b : a));
  return first <= now ? { action: 'delete', why } : { action: 'wait', ms: first - now };
}

function notAfter(certificateB64: string): number | undefined {
  try {
    return Date.parse(new X509Certificate(Buffer.from(certificateB64, 'base64')).validTo);
  } catch {
    return undefined;
  }
}
