import type { KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';
import { parseQuantity } from '../resources/shared/quantity.js';
import { admissionForbidden, isPod, podContainers, type AdmissionLister, type Loose } from './lookup.js';

const LIMIT_RANGES = { group: '', version: 'v1', resource: 'limitranges' };

/**
 * Upstream's LimitRanger for pods, pure: each Container item's `default` fills missing limits and
 * `defaultRequest` (else `default`, as LimitRange defaulting does) missing requests, annotated as
 * upstream; returns the min/max/ratio violations of the result.
 */
export function applyLimitRanges(pod: KubeObject, ranges: KubeObject[]): string[] {
  const spec = (pod.spec ?? {}) as Loose;
  const errors: string[] = [];
  const setRequests: string[] = [];
  const setLimits: string[] = [];
  for (const lr of ranges) {
    for (const item of ((lr.spec as Loose | undefined)?.limits ?? []) as Loose[]) {
      if (item.type !== 'Container') continue;
      const defLimits: Loose = item.default ?? {};
      const defRequests: Loose = item.defaultRequest ?? item.default ?? {};
      for (const c of spec.containers ?? []) {
        const res = (c.resources ??= {});
        const limits = (res.limits ??= {});
        const requests = (res.requests ??= {});
        const setL = Object.keys(defLimits).filter((k) => limits[k] === undefined);
        for (const k of setL) limits[k] = defLimits[k];
        const setR = Object.keys(defRequests).filter((k) => requests[k] === undefined);
        for (const k of setR) requests[k] = defRequests[k];
        if (setR.length) setRequests.push(`${setR.join(', ')} request for container ${c.name}`);
        if (setL.length) setLimits.push(`${setL.join(', ')} limit for container ${c.name}`);
        if (!Object.keys(limits).length) delete res.limits;
        if (!Object.keys(requests).length) delete res.requests;
        if (!Object.keys(res).length) delete c.resources;
      }
      for (const c of podContainers(spec)) {
        const requests: Loose = c.resources?.requests ?? {};
        const limits: Loose = c.resources?.limits ?? {};
        for (const [k, min] of Object.entries((item.min ?? {}) as Loose)) {
          const r = parseQuantity(requests[k]);
          if (r === undefined) errors.push(`minimum ${k} usage per Container is ${min}.  No request is specified`);
          else if (r < parseQuantity(min)!) errors.push(`minimum ${k} usage per Container is ${min}, but request is ${requests[k]}`);
        }
        for (const [k, max] of Object.entries((item.max ?? {}) as Loose)) {
          const l = parseQuantity(limits[k]);
          if (l === undefined) errors.push(`maximum ${k} usage per Container is ${max}.  No limit is specified`);
          else if (l > parseQuantity(max)!) errors.push(`maximum ${k} usage per Container is ${max}, but limit is ${limits[k]}`);
        }
      }
    }
  }
  const parts = [...setRequests, ...setLimits];
  if (parts.length) {
    pod.metadata.annotations = { ...pod.metadata.annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${parts.join('; ')}` };
  }
  return errors;
}

/** LimitRanger on pod creation: defaults from the namespace's LimitRanges, then their bounds. */
export function limitRanger(list: AdmissionLister): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    async admit(a) {
      if (!isPod(a) || a.operation !== 'CREATE' || !a.object || !a.namespace) return;
      const ranges = await list(LIMIT_RANGES, a.namespace);
      if (!ranges.length) return;
      const errors = applyLimitRanges(a.object, ranges);
      if (errors.length) throw admissionForbidden(a, errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
    },
  };
}
