import { cidrContains, parseCidr, type Cidr, type KubeObject } from '../../../internal/api/index.js';

/** Upstream's finalizer: a ServiceCIDR is not removed while an address in it has no other range. */
export const SERVICE_CIDR_FINALIZER = 'networking.k8s.io/service-cidr-finalizer';
export const READY_MESSAGE = 'Kubernetes Service CIDR is ready';
export const TERMINATING_MESSAGE = 'There are still IPAddresses referencing the ServiceCIDR, please remove them or create a new ServiceCIDR';

export interface ReadyCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export type ServiceCIDRDecision =
  | { action: 'none' }
  | { action: 'addFinalizer' }
  | { action: 'removeFinalizer' }
  | { action: 'setReady'; condition: ReadyCondition };

const cidrsOf = (sc: KubeObject): Cidr[] =>
  (((sc.spec as { cidrs?: unknown[] } | undefined)?.cidrs ?? []) as unknown[]).flatMap((c) => {
    const p = typeof c === 'string' ? parseCidr(c) : undefined;
    return p ? [p] : [];
  });

const readyOf = (sc: KubeObject): { status?: string; reason?: string; message?: string } | undefined =>
  ((sc.status as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');

const sameCondition = (sc: KubeObject, want: ReadyCondition): boolean => {
  const cur = readyOf(sc);
  return !!cur && cur.status === want.status && (cur.reason ?? '') === want.reason && (cur.message ?? '') === want.message;
};

/**
 * The servicecidrs controller's decision for one ServiceCIDR (upstream pkg/controller/servicecidrs),
 * one step at a time: a live one gets the finalizer, then Ready=True; one being deleted keeps its
 * finalizer (Ready=False, reason Terminating) while an IPAddress lies in it and in no other live
 * ServiceCIDR, and loses it once none does.
 */
export function serviceCIDRDecision(sc: KubeObject, all: KubeObject[], ipAddresses: string[]): ServiceCIDRDecision {
  const finalizers = sc.metadata.finalizers ?? [];
  const hasFinalizer = finalizers.includes(SERVICE_CIDR_FINALIZER);
  if (!sc.metadata.deletionTimestamp) {
    if (!hasFinalizer) return { action: 'addFinalizer' };
    const want: ReadyCondition = { status: 'True', reason: '', message: READY_MESSAGE };
    return sameCondition(sc, want) ? { action: 'none' } : { action: 'setReady', condition: want };
  }
  if (!hasFinalizer) return { action: 'none' };
  const mine = cidrsOf(sc);
  const others = all.filter((o) => o.metadata.name !== sc.metadata.name && !o.metadata.deletionTimestamp).flatMap(cidrsOf);
  const orphaned = ipAddresses.some((ip) => mine.some((c) => cidrContains(c, ip)) && !others.some((c) => cidrContains(c, ip)));
  if (!orphaned) return { action: 'removeFinalizer' };
  const want: ReadyCondition = { status: 'False', reason: 'Terminating', message: TERMINATING_MESSAGE };
  return sameCondition(sc, want) ? { action: 'none' } : { action: 'setReady', condition: want };
}
