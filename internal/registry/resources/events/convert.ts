import type { KubeObject } from '../../../api/index.js';

/**
 * core/v1 Event ⇄ events.k8s.io/v1 Event. Both groups share one storage (core shape); the field
 * pairs are upstream's conversion: involvedObject↔regarding, message↔note, source↔deprecatedSource,
 * first/lastTimestamp↔deprecatedFirst/LastTimestamp, count↔deprecatedCount,
 * reportingComponent↔reportingController. Everything else has the same name in both.
 */
const PAIRS: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

function rename(obj: KubeObject, from: 0 | 1, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const pair of PAIRS) {
    const src = pair[from];
    const dst = pair[1 - from]!;
    delete out[src];
    if (obj[src] !== undefined) out[dst] = obj[src];
  }
  return out;
}

export const toCoreEvent = (e: KubeObject): KubeObject => rename(e, 1, 'v1');
export const fromCoreEvent = (e: KubeObject): KubeObject => rename(e, 0, 'events.k8s.io/v1');
