import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../internal/api/index.js';
import { nextPodAction, type KubeletTiming, type PodAction } from './pod-state.js';

type Obj = Record<string, any>;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const timing: KubeletTiming = { startDelayMs: 1000, runTimeMs: 5000, stopDelayMs: 1000 };

function pod(spec: Obj = {}, meta: Obj = {}): KubeObject {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u1', ...meta }, spec: { nodeName: 'n', restartPolicy: 'Always', containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec }, status: { phase: 'Pending' } };
}

/** Applies status actions to the pod until it waits; returns the actions taken. */
function drive(p: KubeObject, at: number): PodAction {
  const a = nextPodAction(p, at, timing, () => '10.64.0.5', '192.168.0.1');
  if (a.kind === 'status') p.status = a.status;
  return a;
}

const cond = (p: KubeObject, type: string) => ((p.status as Obj).conditions as Obj[]).find((c) => c.type === type)?.status;

describe('nextPodAction', () => {
  it('Pending → ContainerCreating → Running and Ready', () => {
    const p = pod();
    expect(drive(p, T0)).toMatchObject({ kind: 'status', wakeAt: T0 + 1000 });
    expect(p.status).toMatchObject({ phase: 'Pending', hostIP: '192.168.0.1', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } }, ready: false }] });
    expect(drive(p, T0 + 500)).toEqual({ kind: 'wait', wakeAt: T0 + 1000 });
    drive(p, T0 + 1000);
    expect(p.status).toMatchObject({ phase: 'Running', podIP: '10.64.0.5', podIPs: [{ ip: '10.64.0.5' }], containerStatuses: [{ ready: true, started: true, restartCount: 0 }] });
    expect((p.status as Obj).containerStatuses[0].imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cond(p, 'Ready')).toBe('True');
    expect(cond(p, 'ContainersReady')).toBe('True');
    expect(drive(p, T0 + 60_000)).toEqual({ kind: 'wait', wakeAt: undefined });
  });

  it('runs a sidecar beside the app and completes plain init containers; a Job pod stops its sidecar when done', () => {
    const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'setup', image: 'busybox' }, { name: 'proxy', image: 'envoy', restartPolicy: 'Always', readinessProbe: { initialDelaySeconds: 2 } }] });
    drive(p, T0);
    expect(drive(p, T0 + 1000)).toMatchObject({ kind: 'status', wakeAt: T0 + 3000 });
    expect((p.status as Obj).initContainerStatuses).toMatchObject([
      { name: 'setup', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'proxy', started: true, ready: false, state: { running: {} } },
    ]);
    drive(p, T0 + 3000);
    expect((p.status as Obj).initContainerStatuses[1]).toMatchObject({ ready: true });
    drive(p, T0 + 6000);
    expect(p.status).toMatchObject({ phase: 'Succeeded', initContainerStatuses: [{ name: 'setup' }, { name: 'proxy', state: { terminated: { exitCode: 0 } } }] });
  });

  it('reports resources and allocatedResources, and an accepted resize at once', () => {
    const p = pod({ containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } } }] });
    drive(p, T0);
    drive(p, T0 + 1000);
    expect((p.status as Obj).containerStatuses[0]).toMatchObject({ resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } }, allocatedResources: { cpu: '100m' } });
    expect(drive(p, T0 + 2000)).toMatchObject({ kind: 'wait' });
    (p.spec as Obj).containers[0].resources = { requests: { cpu: '150m' }, limits: { cpu: '300m' } };
    expect(drive(p, T0 + 3000)).toMatchObject({ kind: 'status' });
    expect((p.status as Obj).containerStatuses[0]).toMatchObject({ resources: { requests: { cpu: '150m' }, limits: { cpu: '300m' } }, allocatedResources: { cpu: '150m' } });
  });

  it('goes straight to Running when the start delay is 0', () => {
    const a = nextPodAction(pod(), T0, { ...timing, startDelayMs: 0 }, () => '10.0.0.1', 'h');
    expect(a).toMatchObject({ kind: 'status', status: { phase: 'Running' } });
  });

  it('is ready only after the readiness probe initial delay', () => {
    const p = pod({ containers: [{ name: 'c', image: 'nginx', readinessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 10 } }] });
    drive(p, T0);
    expect(drive(p, T0 + 1000)).toMatchObject({ kind: 'status', wakeAt: T0 + 11_000 });
    expect(cond(p, 'Ready')).toBe('False');
    expect(drive(p, T0 + 5000)).toMatchObject({ kind: 'wait' });
    drive(p, T0 + 11_000);
    expect(cond(p, 'Ready')).toBe('True');
  });

  it('a Job pod exits 0 after the run time; an annotation makes it fail', () => {
    const ok = pod({ restartPolicy: 'Never' });
    drive(ok, T0);
    expect(drive(ok, T0 + 1000)).toMatchObject({ wakeAt: T0 + 6000 });
    drive(ok, T0 + 6000);
    expect(ok.status).toMatchObject({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    expect(drive(ok, T0 + 9000)).toEqual({ kind: 'wait' });

    const bad = pod({ restartPolicy: 'Never' }, { annotations: { 'kplane.io/hollow-exit-code': '3' } });
    drive(bad, T0);
    drive(bad, T0 + 1000);
    drive(bad, T0 + 6000);
    expect(bad.status).toMatchObject({ phase: 'Failed', containerStatuses: [{ state: { terminated: { exitCode: 3, reason: 'Error' } } }] });
  });

  it('OnFailure restarts a failing container in place', () => {
    const p = pod({ restartPolicy: 'OnFailure' }, { annotations: { 'kplane.io/hollow-exit-code': '1' } });
    drive(p, T0);
    drive(p, T0 + 1000);
    drive(p, T0 + 6000);
    expect(p.status).toMatchObject({ phase: 'Running', containerStatuses: [{ restartCount: 1, lastState: { terminated: { exitCode: 1 } } }] });
  });

  it('stops a terminating pod after the stop delay, bounded by its grace period, then deletes it with its uid', () => {
    const p = pod();
    drive(p, T0);
    drive(p, T0 + 1000);
    const del = { deletionTimestamp: new Date(T0 + 30_000 + 2000).toISOString(), deletionGracePeriodSeconds: 30 };
    Object.assign(p.metadata, del);
    expect(drive(p, T0 + 2000)).toEqual({ kind: 'wait', wakeAt: T0 + 3000 });
    expect(drive(p, T0 + 3000)).toEqual({ kind: 'delete', uid: 'u1' });
    const quick = pod({}, { deletionTimestamp: new Date(T0).toISOString(), deletionGracePeriodSeconds: 0 });
    expect(drive(quick, T0)).toEqual({ kind: 'delete', uid: 'u1' });
  });
});
