import type { KubeObject } from '../../api/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import { parseQuantity } from '../resources/shared/quantity.js';
import { admissionForbidden, podContainers, type AdmissionLister, type Loose } from './lookup.js';

const QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas' };

/** Object counts upstream's quota names directly ("pods", "services", ...), by plural of core/v1. */
const CORE_COUNTS = new Set(['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);
const COMPUTE: Record<string, ['requests' | 'limits', string]> = {
  cpu: ['requests', 'cpu'],
  memory: ['requests', 'memory'],
  'requests.cpu': ['requests', 'cpu'],
  'requests.memory': ['requests', 'memory'],
  'limits.cpu': ['limits', 'cpu'],
  'limits.memory': ['limits', 'memory'],
  'requests.ephemeral-storage': ['requests', 'ephemeral-storage'],
  'limits.ephemeral-storage': ['limits', 'ephemeral-storage'],
};

const terminal = (pod: KubeObject) => ['Succeeded', 'Failed'].includes((pod.status as Loose | undefined)?.phase);

/** The quota resource name that counts objects of a resource: "pods", or "count/deployments.apps". */
export function countName(group: string, plural: string): string[] {
  const names = [`count/${plural}${group ? `.${group}` : ''}`];
  if (group === '' && CORE_COUNTS.has(plural)) names.push(plural);
  return names;
}

/** What one pod adds to a compute resource (a container's request or limit, as a number). */
function podCompute(pod: KubeObject, name: string): { value: number; missing: string[] } {
  const [kind, res] = COMPUTE[name]!;
  let value = 0;
  const missing: string[] = [];
  for (const c of podContainers((pod.spec ?? {}) as Loose)) {
    const q = parseQuantity(c.resources?.[kind]?.[res]);
    if (q === undefined) missing.push(c.name);
    else value += q;
  }
  return { value, missing };
}

/** Usage of one quota resource over the namespace's objects (pods counted unless terminal). */
export function usageOf(name: string, objects: { group: string; plural: string; items: KubeObject[] }[]): number {
  if (COMPUTE[name]) {
    const pods = objects.find((o) => o.group === '' && o.plural === 'pods')?.items ?? [];
    return pods.filter((p) => !terminal(p)).reduce((s, p) => s + podCompute(p, name).value, 0);
  }
  for (const o of objects) {
    if (!countName(o.group, o.plural).includes(name)) continue;
    return o.plural === 'pods' && o.group === '' ? o.items.filter((p) => !terminal(p)).length : o.items.length;
  }
  return 0;
}

/** Quantities print as upstream's canonical forms for the values this check produces. */
function show(name: string, v: number): string {
  if (name.endsWith('cpu') || name === 'cpu') return Number.isInteger(v) ? String(v) : `${Math.round(v * 1000)}m`;
  return String(Math.round(v));
}

/** The resource names a quota's hard section counts for this object's resource. */
function tracked(hard: Loose, a: AdmissionAttributes): string[] {
  const isPodCreate = a.definition.group === '' && a.definition.plural === 'pods';
  return Object.keys(hard).filter((n) => countName(a.definition.group, a.definition.plural).includes(n) || (isPodCreate && COMPUTE[n] !== undefined));
}

/** Writes a quota's status.used if the quota is still at the resourceVersion it was read at. */
export type QuotaReserver = (quota: KubeObject, used: Loose) => Promise<'ok' | 'conflict'>;

/**
 * ResourceQuota: a create that would take a quota of its namespace past `hard` is refused with
 * upstream's "exceeded quota" message (a pod missing a request or limit a quota tracks with
 * "failed quota ... must specify"). Usage is the larger of what the stored objects add up to and
 * the quota's status.used. With `reserve`, an admitted create first writes status.used plus what it
 * adds, compared with the quota's resourceVersion (upstream's compare-and-swap): of two racing
 * creates that both fit only one at a time, the second sees a conflict, reads the quota again
 * (`latest`) and is refused. Every admitted create or delete of a counted resource asks `refresh`
 * to rewrite status.used from the stored objects (which also gives back a reservation whose create
 * failed later).
 */
export function resourceQuota(list: AdmissionLister, refresh: (namespace: string) => void, reserve?: QuotaReserver, latest: AdmissionLister = list): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (!a.namespace || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'DELETE')) return;
      if (a.definition.group === '' && a.definition.plural === 'resourcequotas') return refresh(a.namespace);
      const relevant = (qs: KubeObject[]) => qs.filter((q) => tracked(((q.spec as Loose | undefined)?.hard ?? {}) as Loose, a).length);
      let quotas = relevant(await list(QUOTAS, a.namespace));
      if (!quotas.length) return;
      if (a.operation === 'DELETE' || a.dryRun) return a.dryRun ? undefined : refresh(a.namespace);
      const self = { group: a.definition.group, version: a.definition.version, resource: a.definition.plural };
      const items = await list(self, a.namespace);
      const pods = a.definition.group === '' && a.definition.plural === 'pods' ? items : await list({ group: '', version: 'v1', resource: 'pods' }, a.namespace);
      const objects = [
        { group: a.definition.group, plural: a.definition.plural, items },
        { group: '', plural: 'pods', items: pods },
      ];
      for (let attempt = 0; ; attempt++) {
        let conflict = false;
        for (const q of quotas) {
          const used = admitAgainst(q, a, objects);
          if (reserve && (await reserve(q, used)) === 'conflict') {
            conflict = true;
            break;
          }
        }
        if (!conflict) break;
        if (attempt >= 4) throw admissionForbidden(a, 'status unknown for quota: too many concurrent updates, please retry');
        quotas = relevant(await latest(QUOTAS, a.namespace));
      }
      refresh(a.namespace);
    },
  };
}

/** Checks one quota for a create and returns its status.used with the create added; throws when over. */
function admitAgainst(q: KubeObject, a: AdmissionAttributes, objects: { group: string; plural: string; items: KubeObject[] }[]): Loose {
  const hard = ((q.spec as Loose).hard ?? {}) as Loose;
  const recorded = ((q.status as Loose | undefined)?.used ?? {}) as Loose;
  const names = tracked(hard, a).sort();
  const missing = names.filter((n) => COMPUTE[n] && podCompute(a.object!, n).missing.length);
  if (missing.length) throw admissionForbidden(a, `failed quota: ${q.metadata.name}: must specify ${missing.join(',')}`);
  const usage = (n: string) => Math.max(usageOf(n, objects), parseQuantity(recorded[n]) ?? 0);
  const requested = names.map((n) => [n, COMPUTE[n] ? podCompute(a.object!, n).value : 1] as const);
  const over = requested.filter(([n, add]) => usage(n) + add > parseQuantity(hard[n])!);
  if (over.length) {
    const fmt = (f: (n: string, add: number) => string) => over.map(([n, add]) => `${n}=${f(n, add)}`).join(',');
    throw admissionForbidden(a, `exceeded quota: ${q.metadata.name}, requested: ${fmt((n, add) => show(n, add))}, used: ${fmt((n) => show(n, usage(n)))}, limited: ${fmt((n) => String(hard[n]))}`);
  }
  return { ...recorded, ...Object.fromEntries(requested.map(([n, add]) => [n, show(n, usage(n) + add)])) };
}

/** status.hard and status.used of a quota over the namespace's objects (what `kubectl describe quota` shows). */
export function quotaStatus(quota: KubeObject, objects: { group: string; plural: string; items: KubeObject[] }[]): Loose {
  const hard = ((quota.spec as Loose | undefined)?.hard ?? {}) as Loose;
  const used: Loose = {};
  for (const n of Object.keys(hard)) used[n] = show(n, usageOf(n, objects));
  return { hard, used };
}
