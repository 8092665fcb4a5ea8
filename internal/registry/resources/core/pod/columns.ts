import type { KubeObject } from '../../../../api/index.js';
import type { Cell } from '../../shared/define.js';
import { arr, get, num, objs, str, type Obj } from '../../shared/object.js';
import { humanDuration } from '../../shared/time.js';

/**
 * The pods printer of 1.33: READY counts started sidecars (init containers with restartPolicy
 * Always) beside the containers, STATUS the way kubectl derives it from scheduling gates, init
 * containers, container states and deletion, RESTARTS with "(5m ago)" since the last restart.
 */
export const podCells: Record<string, Cell> = {
  Ready: (pod) => {
    const s = podSummary(pod);
    return `${s.ready}/${s.total}`;
  },
  Status: (pod) => podSummary(pod).reason,
  Restarts: (pod, now) => {
    const s = podSummary(pod);
    return s.restarts === 0 || s.lastRestart === undefined ? String(s.restarts) : `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)`;
  },
  IP: (pod) => str(get(pod, 'status', 'podIPs', 0, 'ip')) || str(get(pod, 'status', 'podIP')) || '<none>',
  Node: (pod) => str(get(pod, 'spec', 'nodeName')) || '<none>',
  'Nominated Node': (pod) => str(get(pod, 'status', 'nominatedNodeName')) || '<none>',
  'Readiness Gates': (pod) => {
    const gates = objs(get(pod, 'spec', 'readinessGates'));
    if (gates.length === 0) return '<none>';
    const conditions = objs(get(pod, 'status', 'conditions'));
    const ok = gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length;
    return `${ok}/${gates.length}`;
  },
};

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart?: number;
}

/** Restarts and the newest restart time of a set of container statuses. */
interface Restarts {
  count: number;
  last?: number;
}

const isSidecar = (c: Obj | undefined): boolean => c?.restartPolicy === 'Always';
const hasCondition = (pod: KubeObject, type: string, status = 'True'): boolean =>
  objs(get(pod, 'status', 'conditions')).some((c) => c.type === type && c.status === status);

export function podSummary(pod: KubeObject): PodSummary {
  const initSpecs = objs(get(pod, 'spec', 'initContainers'));
  const out: PodSummary = { ready: 0, total: arr(get(pod, 'spec', 'containers')).length + initSpecs.filter(isSidecar).length, reason: '', restarts: 0 };
  out.reason = str(get(pod, 'status', 'reason')) || str(get(pod, 'status', 'phase'));
  if (objs(get(pod, 'status', 'conditions')).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) out.reason = 'SchedulingGated';
  const all: Restarts = { count: 0 };
  const sidecars: Restarts = { count: 0 };
  let counted = all;
  // Once initialized, the finished init containers' restarts no longer count; the sidecars' do.
  if (!summarizeInit(pod, initSpecs, out, all, sidecars) || hasCondition(pod, 'Initialized')) {
    counted = sidecars;
    summarizeContainers(pod, out, sidecars);
  }
  out.restarts = counted.count;
  if (counted.last !== undefined) out.lastRestart = counted.last;
  const phase = str(get(pod, 'status', 'phase'));
  if (get(pod, 'metadata', 'deletionTimestamp')) {
    if (get(pod, 'status', 'reason') === 'NodeLost') out.reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') out.reason = 'Terminating';
  }
  return out;
}

function noteRestarts(cs: Obj, into: Restarts): void {
  into.count += num(cs.restartCount);
  const finished = Date.parse(str(get(cs, 'lastState', 'terminated', 'finishedAt')));
  if (!Number.isNaN(finished) && (into.last === undefined || finished > into.last)) into.last = finished;
}

/** Returns true while an init container has not finished; sets reason "Init:..." then. */
function summarizeInit(pod: KubeObject, specs: Obj[], out: PodSummary, all: Restarts, sidecars: Restarts): boolean {
  const statuses = objs(get(pod, 'status', 'initContainerStatuses'));
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i]!;
    noteRestarts(cs, all);
    const sidecar = isSidecar(specs.find((c) => c.name === cs.name));
    if (sidecar) noteRestarts(cs, sidecars);
    const terminated = get(cs, 'state', 'terminated') as Obj | undefined;
    const waitingReason = str(get(cs, 'state', 'waiting', 'reason'));
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) out.ready++;
      continue;
    }
    if (terminated) {
      const reason = str(terminated.reason);
      out.reason = reason ? `Init:${reason}` : num(terminated.signal) !== 0 ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waitingReason && waitingReason !== 'PodInitializing') {
      out.reason = `Init:${waitingReason}`;
    } else {
      out.reason = `Init:${i}/${specs.length}`;
    }
    return true;
  }
  return false;
}

function summarizeContainers(pod: KubeObject, out: PodSummary, restarts: Restarts): void {
  let hasRunning = false;
  const statuses = objs(get(pod, 'status', 'containerStatuses'));
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i]!;
    noteRestarts(cs, restarts);
    const waitingReason = str(get(cs, 'state', 'waiting', 'reason'));
    const terminated = get(cs, 'state', 'terminated') as Obj | undefined;
    if (waitingReason) out.reason = waitingReason;
    else if (terminated && str(terminated.reason)) out.reason = str(terminated.reason);
    else if (terminated) out.reason = num(terminated.signal) !== 0 ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
    else if (cs.ready === true && get(cs, 'state', 'running') !== undefined) {
      hasRunning = true;
      out.ready++;
    }
  }
  if (out.reason === 'Completed' && hasRunning) out.reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
}
