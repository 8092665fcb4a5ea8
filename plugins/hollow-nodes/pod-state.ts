import type { KubeObject } from '../../internal/api/index.js';

type Obj = Record<string, any>;

/** Timing of simulated containers (milliseconds). */
export interface KubeletTiming {
  /** Pending → Running: image pull and container start. 0 skips the ContainerCreating step. */
  startDelayMs: number;
  /** How long a run-to-completion container (restartPolicy Never/OnFailure) runs before it exits. */
  runTimeMs: number;
  /** How long a container takes to stop after SIGTERM (bounded by the grace period). */
  stopDelayMs: number;
}

export const DEFAULT_TIMING: KubeletTiming = { startDelayMs: 1000, runTimeMs: 5000, stopDelayMs: 1000 };

/** Pod annotation asking a hollow container to exit with this code (e.g. "1" to fail a Job pod). */
export const EXIT_CODE_ANNOTATION = 'kplane.io/hollow-exit-code';

/** What the hollow kubelet does for a pod now, and when to look at it again. */
export type PodAction =
  | { kind: 'status'; status: Obj; wakeAt?: number }
  | { kind: 'delete'; uid: string }
  | { kind: 'wait'; wakeAt?: number };

/**
 * The hollow kubelet's pod state machine, pure: from the pod as stored and the time, the status to
 * write next (Pending/ContainerCreating → Running → ready → finished), the final delete of a
 * terminating pod, or nothing until wakeAt. Everything it needs is in the pod, so a restarted
 * kubelet picks up where the last one stopped.
 */
export function nextPodAction(pod: KubeObject, now: number, timing: KubeletTiming, ip: () => string, hostIP: string): PodAction {
  const status: Obj = (pod.status as Obj) ?? {};
  const spec: Obj = (pod.spec as Obj) ?? {};
  const phase = status.phase ?? 'Pending';
  if (pod.metadata.deletionTimestamp) return terminating(pod, status, now, timing);
  if (phase === 'Succeeded' || phase === 'Failed') return { kind: 'wait' };
  const statuses: Obj[] = status.containerStatuses ?? [];
  if (statuses.length === 0) {
    if (timing.startDelayMs > 0) return { kind: 'status', status: creating(spec, status, now, hostIP), wakeAt: now + timing.startDelayMs };
    return running(spec, status, now, ip(), hostIP, now, timing);
  }
  if (phase === 'Pending') {
    const since = Date.parse(status.startTime ?? '') || now;
    if (now < since + timing.startDelayMs) return { kind: 'wait', wakeAt: since + timing.startDelayMs };
    return running(spec, status, now, ip(), hostIP, now, timing);
  }
  return progress(pod, spec, status, now, timing);
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function cond(type: string, value: boolean, now: number, reason?: string): Obj {
  return { type, status: value ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: iso(now), ...(reason ? { reason } : {}) };
}

function setConditions(status: Obj, now: number, updates: Obj[]): Obj[] {
  const out: Obj[] = [...(status.conditions ?? [])];
  for (const u of updates) {
    const i = out.findIndex((c) => c.type === u.type);
    if (i < 0) out.push(u);
    else if (out[i]!.status !== u.status || out[i]!.reason !== u.reason) out[i] = u;
  }
  return out;
}

function imageRef(image: string): string {
  const name = image.includes('/') ? image : `docker.io/library/${image}`;
  return name.replace(/:[^/:]+$/, '');
}

/** A stable fake digest for an image name, so imageID reads like a real one. */
function digest(s: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

function creating(spec: Obj, status: Obj, now: number, hostIP: string): Obj {
  const containerStatuses = (spec.containers ?? []).map((c: Obj) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
  }));
  return {
    ...status,
    phase: 'Pending',
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: status.startTime ?? iso(now),
    conditions: setConditions(status, now, [
      cond('PodReadyToStartContainers', false, now),
      cond('Initialized', true, now),
      cond('Ready', false, now, 'ContainersNotReady'),
      cond('ContainersReady', false, now, 'ContainersNotReady'),
    ]),
    containerStatuses,
  };
}

function readyAt(c: Obj, startedAt: number): number {
  const delay = c.readinessProbe ? (c.readinessProbe.initialDelaySeconds ?? 0) * 1000 : 0;
  return startedAt + delay;
}

/** An init container with restartPolicy Always: a sidecar that runs beside the app containers. */
const isSidecar = (c: Obj): boolean => c.restartPolicy === 'Always';

/** What a container was given, as the kubelet reports it (1.33: resources and allocatedResources). */
function resourcesOf(c: Obj): Obj {
  const r: Obj = c.resources ?? {};
  const given: Obj = {};
  if (r.requests && Object.keys(r.requests).length > 0) given.requests = { ...r.requests };
  if (r.limits && Object.keys(r.limits).length > 0) given.limits = { ...r.limits };
  return Object.keys(given).length === 0 ? {} : { resources: given, ...(given.requests ? { allocatedResources: { ...given.requests } } : {}) };
}

function runningStatus(c: Obj, podIP: string, now: number, startedAt: number): Obj {
  return {
    name: c.name,
    image: c.image,
    imageID: `${imageRef(c.image ?? '')}@sha256:${digest(c.image ?? '')}`,
    containerID: `containerd://${digest(`${podIP}/${c.name}/${startedAt}`)}`,
    ready: now >= readyAt(c, startedAt),
    restartCount: 0,
    started: true,
    state: { running: { startedAt: iso(startedAt) } },
    lastState: {},
    ...resourcesOf(c),
  };
}

/** Init containers once the pod runs: plain ones completed, sidecars running beside the app. */
function initStatuses(spec: Obj, podIP: string, now: number, startedAt: number): Obj | undefined {
  const inits: Obj[] = spec.initContainers ?? [];
  if (inits.length === 0) return undefined;
  return {
    initContainerStatuses: inits.map((c) => {
      if (isSidecar(c)) return runningStatus(c, podIP, now, startedAt);
      const done = { exitCode: 0, reason: 'Completed', startedAt: iso(startedAt), finishedAt: iso(startedAt) };
      return { ...runningStatus(c, podIP, now, startedAt), ready: true, started: false, state: { terminated: done } };
    }),
  };
}

function running(spec: Obj, status: Obj, now: number, podIP: string, hostIP: string, startedAt: number, timing: KubeletTiming): PodAction {
  const containerStatuses = (spec.containers ?? []).map((c: Obj) => runningStatus(c, podIP, now, startedAt));
  const base: Obj = { ...status, phase: 'Running', hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime: status.startTime ?? iso(now), ...initStatuses(spec, podIP, now, startedAt), containerStatuses };
  const next = withReadiness(base, now);
  return { kind: 'status', status: next, wakeAt: nextWake(spec, next, timing) };
}

function withReadiness(status: Obj, now: number): Obj {
  const all = (status.containerStatuses as Obj[]).every((c) => c.ready);
  const reason = all ? undefined : 'ContainersNotReady';
  return {
    ...status,
    conditions: setConditions(status, now, [
      cond('PodReadyToStartContainers', true, now),
      cond('Initialized', true, now),
      cond('Ready', all, now, reason),
      cond('ContainersReady', all, now, reason),
      cond('PodScheduled', true, now),
    ]),
  };
}

function startedAtOf(c: Obj): number {
  return Date.parse(c.state?.running?.startedAt ?? '') || 0;
}

function runsToCompletion(spec: Obj): boolean {
  return spec.restartPolicy === 'Never' || spec.restartPolicy === 'OnFailure';
}

function nextWake(spec: Obj, status: Obj, timing: KubeletTiming): number | undefined {
  let at: number | undefined;
  (spec.initContainers ?? []).forEach((c: Obj, i: number) => {
    const cs: Obj | undefined = status.initContainerStatuses?.[i];
    if (isSidecar(c) && cs?.state?.running && !cs.ready) at = Math.min(at ?? Infinity, readyAt(c, startedAtOf(cs)));
  });
  (spec.containers ?? []).forEach((c: Obj, i: number) => {
    const cs: Obj | undefined = status.containerStatuses?.[i];
    if (!cs?.state?.running) return;
    const started = startedAtOf(cs);
    if (!cs.ready) at = Math.min(at ?? Infinity, readyAt(c, started));
    if (runsToCompletion(spec)) at = Math.min(at ?? Infinity, started + timing.runTimeMs);
  });
  return at;
}

/** A running pod: containers become ready, and run-to-completion containers exit. */
function progress(pod: KubeObject, spec: Obj, status: Obj, now: number, timing: KubeletTiming): PodAction {
  let changed = false;
  // An accepted resize (pods/resize changed the spec) takes effect at once: a hollow node has room.
  const resized = (cs: Obj, c: Obj): Obj => {
    const want = resourcesOf(c);
    if (JSON.stringify(want.resources) === JSON.stringify(cs.resources)) return cs;
    changed = true;
    const { resources: _r, allocatedResources: _a, ...rest } = cs;
    return { ...rest, ...want };
  };
  const inits: Obj[] = spec.initContainers ?? [];
  const initContainerStatuses = (status.initContainerStatuses as Obj[] | undefined)?.map((cs0, i) => {
    const c = inits[i] ?? {};
    if (!isSidecar(c) || !cs0.state?.running) return cs0;
    const cs = resized(cs0, c);
    if (cs.ready || now < readyAt(c, startedAtOf(cs))) return cs;
    changed = true;
    return { ...cs, ready: true };
  });
  const containerStatuses = (status.containerStatuses as Obj[]).map((cs0, i) => {
    const c: Obj = spec.containers?.[i] ?? {};
    if (!cs0.state?.running) return cs0;
    const cs = resized(cs0, c);
    const started = startedAtOf(cs);
    if (runsToCompletion(spec) && now >= started + timing.runTimeMs) {
      changed = true;
      return finished(cs, started, now, exitCodeOf(pod));
    }
    if (!cs.ready && now >= readyAt(c, started)) {
      changed = true;
      return { ...cs, ready: true };
    }
    return cs;
  });
  if (!changed) return { kind: 'wait', wakeAt: nextWake(spec, status, timing) };
  const withInits = initContainerStatuses ? { initContainerStatuses } : {};
  const done = containerStatuses.every((cs) => cs.state?.terminated);
  if (!done) {
    const next = withReadiness({ ...status, ...withInits, containerStatuses }, now);
    return { kind: 'status', status: next, wakeAt: nextWake(spec, next, timing) };
  }
  const failed = containerStatuses.some((cs) => cs.state.terminated.exitCode !== 0);
  if (failed && spec.restartPolicy === 'OnFailure') return restart(spec, { ...status, ...withInits }, containerStatuses, now, timing);
  // The app containers are done: the kubelet stops the sidecars, and the pod's phase is theirs.
  const stopped = initContainerStatuses?.map((cs) => (cs.state?.running ? finished(cs, startedAtOf(cs), now, 0) : cs));
  return {
    kind: 'status',
    status: {
      ...status,
      ...(stopped ? { initContainerStatuses: stopped } : {}),
      phase: failed ? 'Failed' : 'Succeeded',
      containerStatuses,
      conditions: setConditions(status, now, [cond('Ready', false, now, 'PodCompleted'), cond('ContainersReady', false, now, 'PodCompleted'), cond('PodReadyToStartContainers', false, now)]),
    },
  };
}

/** The exit code the pod's annotation asks for (anything unparsable counts as 1), else 0. */
function exitCodeOf(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? 1 : n;
}

function finished(cs: Obj, started: number, now: number, code: number): Obj {
  return {
    ...cs,
    ready: false,
    started: false,
    state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: iso(started), finishedAt: iso(now), containerID: cs.containerID } },
  };
}

function restart(spec: Obj, status: Obj, statuses: Obj[], now: number, timing: KubeletTiming): PodAction {
  const containerStatuses = statuses.map((cs) => ({
    ...cs,
    restartCount: (cs.restartCount ?? 0) + 1,
    started: true,
    ready: false,
    lastState: { terminated: cs.state.terminated },
    state: { running: { startedAt: iso(now) } },
  }));
  const next = withReadiness({ ...status, containerStatuses }, now);
  return { kind: 'status', status: next, wakeAt: nextWake(spec, next, timing) };
}

/** A pod being deleted: its containers stop (stopDelay, at most the grace period), then the final delete. */
function terminating(pod: KubeObject, status: Obj, now: number, timing: KubeletTiming): PodAction {
  const uid = pod.metadata.uid ?? '';
  const phase = status.phase ?? 'Pending';
  const running = (status.containerStatuses ?? []).some((cs: Obj) => cs.state?.running);
  if (phase === 'Succeeded' || phase === 'Failed' || !running) return { kind: 'delete', uid };
  const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
  const requestedAt = (Date.parse(pod.metadata.deletionTimestamp!) || now) - grace;
  const doneAt = requestedAt + Math.min(grace, timing.stopDelayMs);
  return now >= doneAt ? { kind: 'delete', uid } : { kind: 'wait', wakeAt: doneAt };
}
