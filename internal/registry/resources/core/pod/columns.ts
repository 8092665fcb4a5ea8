import type { KubeObject } from '../../../../api/index.js';
import type { Cell } from '../../shared/define.js';
import { arr, get, num, objs, str, type Obj } from '../../shared/object.js';
import { humanDuration } from '../../shared/time.js';

/**
 * The pods printer: READY "1/2", STATUS the way kubectl derives it from init containers, container
 * states and deletion, RESTARTS with "(5m ago)" since the last restart.
 */
export const podCells: Record<string, Cell> = {
  Ready: (pod) => {
    const s = podSummary(pod);
    return `${s.ready}/${s.total}`;
  },
  Status: (pod) => podSummary(pod).reason,
  Restarts: (pod, now) => {
    const s = podSummary(pod);
    return s.lastRestart === undefined ? String(s.restarts) : `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)`;
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

export function podSummary(pod: KubeObject): PodSummary {
  const out: PodSummary = { ready: 0, total: arr(get(pod, 'spec', 'containers')).length, reason: '', restarts: 0 };
  out.reason = str(get(pod, 'status', 'reason')) || str(get(pod, 'status', 'phase'));
  const initializing = summarizeInit(pod, out);
  if (!initializing) summarizeContainers(pod, out);
  if (get(pod, 'metadata', 'deletionTimestamp')) {
    out.reason = get(pod, 'status', 'reason') === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  return out;
}

function noteRestarts(cs: Obj, out: PodSummary): void {
  out.restarts += num(cs.restartCount);
  const finished = Date.parse(str(get(cs, 'lastState', 'terminated', 'finishedAt')));
  if (!Number.isNaN(finished) && (out.lastRestart === undefined || finished > out.lastRestart)) out.lastRestart = finished;
}

/** Returns true while an init container has not finished; sets reason "Init:..." then. */
function summarizeInit(pod: KubeObject, out: PodSummary): boolean {
  const statuses = objs(get(pod, 'status', 'initContainerStatuses'));
  const count = arr(get(pod, 'spec', 'initContainers')).length;
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i]!;
    noteRestarts(cs, out);
    const terminated = get(cs, 'state', 'terminated') as Obj | undefined;
    const waitingReason = str(get(cs, 'state', 'waiting', 'reason'));
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (terminated) {
      const reason = str(terminated.reason);
      out.reason = reason ? `Init:${reason}` : num(terminated.signal) !== 0 ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waitingReason && waitingReason !== 'PodInitializing') {
      out.reason = `Init:${waitingReason}`;
    } else {
      out.reason = `Init:${i}/${count}`;
    }
    return true;
  }
  return false;
}

function summarizeContainers(pod: KubeObject, out: PodSummary): void {
  out.restarts = 0;
  let hasRunning = false;
  const statuses = objs(get(pod, 'status', 'containerStatuses'));
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i]!;
    noteRestarts(cs, out);
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
  if (out.reason === 'Completed' && hasRunning) {
    const ready = objs(get(pod, 'status', 'conditions')).some((c) => c.type === 'Ready' && c.status === 'True');
    out.reason = ready ? 'Running' : 'NotReady';
  }
}
