import type { KubeObject } from '../../../internal/api/index.js';
import { readyCondition } from './pod.js';

interface State {
  service: string;
  pods: Map<string, string>;
}

const later = (a: string, b: string | undefined) => b === undefined || Date.parse(a) > Date.parse(b);
const earliest = (a: string | undefined, b: string) => (a === undefined || Date.parse(b) < Date.parse(a) ? b : a);

/**
 * The value of `endpoints.kubernetes.io/last-change-trigger-time` (upstream TriggerTimeTracker):
 * for a Service seen for the first time, its creation time; afterwards the earliest of the trigger
 * times that changed since the last sync: a selected pod's Ready transition time, or the Service's
 * creation time (a re-created Service). undefined when nothing changed. One tracker per controller;
 * `forget` when the Service goes.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, State>();

  compute(service: KubeObject, pods: KubeObject[]): string | undefined {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const prev = this.states.get(key);
    const created = service.metadata.creationTimestamp ?? '';
    const next: State = { service: created, pods: new Map() };
    let min: string | undefined;
    for (const pod of pods) {
      const t = readyCondition(pod)?.lastTransitionTime;
      if (!t) continue;
      next.pods.set(pod.metadata.name!, t);
      if (later(t, prev?.pods.get(pod.metadata.name!))) min = earliest(min, t);
    }
    if (created && later(created, prev?.service || undefined)) min = earliest(min, created);
    this.states.set(key, next);
    if (!prev) return created || undefined;
    return min;
  }

  forget(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
