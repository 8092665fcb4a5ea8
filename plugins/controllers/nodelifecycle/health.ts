import { type KubeObject, tolerates } from '../../../internal/api/index.js';

type Obj = Record<string, any>;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/**
 * What the controller last saw of a node's kubelet: when (by its own clock) the Lease's renewTime or
 * the Ready condition last changed. As upstream, the kubelet's timestamps are never compared with
 * this clock, only observed to change, so clock skew between nodes does not matter.
 */
export interface Observation {
  probeTime: number;
  renewTime?: string;
  heartbeat?: string;
}

export function observe(prev: Observation | undefined, node: KubeObject, lease: KubeObject | undefined, now: number): Observation {
  const renewTime = (lease?.spec as Obj | undefined)?.renewTime as string | undefined;
  const heartbeat = readyCondition(node)?.lastHeartbeatTime as string | undefined;
  if (!prev || prev.renewTime !== renewTime || prev.heartbeat !== heartbeat) return { probeTime: now, renewTime, heartbeat };
  return prev;
}

export function isStale(o: Observation, now: number, graceMs: number): boolean {
  return now - o.probeTime > graceMs;
}

export function readyCondition(node: KubeObject): Obj | undefined {
  return ((node.status as Obj)?.conditions as Obj[] | undefined)?.find((c) => c.type === 'Ready');
}

/** The status.conditions upstream writes for a silent kubelet: every condition Unknown, NodeStatusUnknown. */
export function unknownConditions(node: KubeObject, nowIso: string): Obj[] | undefined {
  const conds: Obj[] = ((node.status as Obj)?.conditions as Obj[] | undefined) ?? [];
  const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
  if (conds.find((c) => c.type === 'Ready')?.status === 'Unknown') return undefined;
  return types.map((type) => {
    const old = conds.find((c) => c.type === type);
    const message = old ? 'Kubelet stopped posting node status.' : 'Kubelet never posted node status.';
    return {
      type,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message,
      lastHeartbeatTime: old?.lastHeartbeatTime ?? nowIso,
      lastTransitionTime: old?.status === 'Unknown' ? old.lastTransitionTime : nowIso,
    };
  });
}

/** The NoSchedule taints conditions imply (TaintNodesByCondition) and the NoExecute one (taint-based eviction). */
export function conditionTaints(node: KubeObject): { noSchedule: string[]; noExecute?: string } {
  const ready = readyCondition(node)?.status;
  const keys: string[] = [];
  let noExecute: string | undefined;
  if (ready === 'Unknown') noExecute = UNREACHABLE;
  else if (ready === 'False') noExecute = NOT_READY;
  if (noExecute) keys.push(noExecute);
  if ((node.spec as Obj | undefined)?.unschedulable === true) keys.push(UNSCHEDULABLE);
  return { noSchedule: keys, noExecute };
}

const MANAGED = new Set([UNREACHABLE, NOT_READY, UNSCHEDULABLE]);

/**
 * The node's taints with the controller-managed ones set as the conditions say. allowNoExecute is
 * the eviction rate limiter's answer: a new NoExecute taint waits for a token, removal never does.
 * Returns undefined when nothing changes.
 */
export function reconcileTaints(node: KubeObject, nowIso: string, allowNoExecute: boolean): Taint[] | undefined {
  const current: Taint[] = ((node.spec as Obj | undefined)?.taints as Taint[] | undefined) ?? [];
  const want = conditionTaints(node);
  const keep = current.filter((t) => !MANAGED.has(t.key) || (t.effect === 'NoSchedule' ? want.noSchedule.includes(t.key) : t.effect === 'NoExecute' && t.key === want.noExecute));
  const next = [...keep];
  for (const key of want.noSchedule) if (!next.some((t) => t.key === key && t.effect === 'NoSchedule')) next.push({ key, effect: 'NoSchedule', timeAdded: nowIso });
  if (want.noExecute && allowNoExecute && !next.some((t) => t.key === want.noExecute && t.effect === 'NoExecute')) next.push({ key: want.noExecute, effect: 'NoExecute', timeAdded: nowIso });
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  return same ? undefined : next;
}

/** Whether a node lacks a NoExecute taint it should have (it waits for the rate limiter). */
export function wantsNoExecute(node: KubeObject): boolean {
  const key = conditionTaints(node).noExecute;
  if (!key) return false;
  const taints: Taint[] = ((node.spec as Obj | undefined)?.taints as Taint[] | undefined) ?? [];
  return !taints.some((t) => t.key === key && t.effect === 'NoExecute');
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}


/**
 * When the taint eviction manager deletes a pod on a node with NoExecute taints: 'now' for an
 * untolerated taint, a time for tolerations with tolerationSeconds (the smallest wins, counted from
 * the taint's timeAdded), undefined when tolerated for ever or there is nothing to evict for.
 */
export function evictionTime(pod: KubeObject, taints: Taint[], now: number): number | 'now' | undefined {
  const tolerations: Toleration[] = ((pod.spec as Obj | undefined)?.tolerations as Toleration[] | undefined) ?? [];
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 'now';
    const seconds = matching.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (seconds.length < matching.length) continue; // one toleration without a limit: tolerated for ever
    const added = Date.parse(taint.timeAdded ?? '') || now;
    const t = added + Math.max(0, Math.min(...seconds)) * 1000;
    at = Math.min(at ?? Infinity, t);
  }
  return at;
}

/** A token bucket (upstream's eviction limiter: --node-eviction-rate 0.1/s, burst 1). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
