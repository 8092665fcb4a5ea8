import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../api/index.js';
import { create, ctx, fields, NOW, row, update } from '../../shared/test-helpers.js';
import { podDefinition } from './definition.js';

const def = podDefinition();
const nginx = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx', labels: { run: 'nginx' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
});

describe('pod defaulting', () => {
  it('matches what a v1.26 cluster stores for `kubectl run nginx --image=nginx`', () => {
    const { obj, errs } = create(def, nginx());
    expect(errs).toEqual([]);
    // Expected values are upstream's: SetDefaults_PodSpec/Container/Pod, plus the ServiceAccount,
    // Priority and DefaultTolerationSeconds admission plugins (token volume excepted).
    expect(obj.spec).toEqual({
      containers: [
        {
          image: 'nginx',
          imagePullPolicy: 'Always',
          name: 'nginx',
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
    });
    expect(obj.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(obj.metadata.generation).toBeUndefined();
  });

  it('DefaultTolerationSeconds takes the configured seconds; a pod tolerating the key keeps its own', () => {
    const short = podDefinition({ notReady: 7, unreachable: 5 });
    const tolerations = (o: KubeObject) => (create(short, o).obj.spec as { tolerations: unknown[] }).tolerations;
    expect(tolerations(nginx())).toEqual([
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 7 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 5 },
    ]);
    const own = nginx();
    (own.spec as { tolerations?: unknown[] }).tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }];
    expect(tolerations(own)).toEqual([
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 60 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 7 },
    ]);
  });

  it('pull policy, probes, ports and requests-from-limits', () => {
    const pod = nginx();
    pod.spec = {
      containers: [
        {
          name: 'a', image: 'nginx:1.25', ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { port: 80 } },
          resources: { limits: { cpu: '500m', memory: '128Mi' } },
        },
        { name: 'b', image: 'registry:5000/app@sha256:abc' },
      ],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
    };
    const { obj, errs } = create(def, pod);
    expect(errs).toEqual([]);
    const [a, b] = (obj.spec as { containers: Record<string, unknown>[] }).containers;
    expect(a!.imagePullPolicy).toBe('IfNotPresent');
    expect(b!.imagePullPolicy).toBe('IfNotPresent');
    expect(a!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(a!.readinessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
    expect(a!.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } });
    expect((obj.spec as { volumes: unknown[] }).volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    ]);
    // b has no resources, so the pod is not Guaranteed.
    expect((obj.status as { qosClass: string }).qosClass).toBe('Burstable');
  });

  it('qosClass Guaranteed when every container has equal cpu and memory requests and limits', () => {
    const pod = nginx();
    pod.spec = { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m' } } }] };
    expect((create(def, pod).obj.status as { qosClass: string }).qosClass).toBe('Guaranteed');
  });
});

describe('pod validation', () => {
  it.each([
    ['no containers', { containers: [] }, ['spec.containers']],
    ['bad container name and missing image', { containers: [{ name: 'Bad_Name' }] }, ['spec.containers[0].name', 'spec.containers[0].image']],
    ['duplicate names', { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }, ['spec.containers[1].name']],
    ['restart policy', { restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x' }] }, ['spec.restartPolicy']],
    ['unknown volume mount', { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] }, ['spec.containers[0].volumeMounts[0].name']],
    ['port range', { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }, ['spec.containers[0].ports[0].containerPort']],
  ])('%s → 422 fields', (_name, spec, expected) => {
    const pod = nginx();
    pod.spec = spec;
    expect(fields(create(def, pod).errs)).toEqual(expected);
  });

  it('rejects a bad name with the upstream message', () => {
    const pod = nginx();
    pod.metadata.name = 'BAD_NAME';
    const errs = create(def, pod).errs;
    expect(errs[0]).toMatchObject({ field: 'metadata.name', type: 'FieldValueInvalid' });
    expect(errs[0]!.detail).toContain('a lowercase RFC 1123 subdomain');
  });

  it('spec is immutable except images; status is kept on main updates', () => {
    const { obj: stored } = create(def, nginx());
    const changed = structuredClone(stored);
    (changed.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:1.25';
    changed.status = { phase: 'Running' };
    const ok = update(def, changed, stored);
    expect(ok.errs).toEqual([]);
    expect(ok.obj.status).toEqual(stored.status);
    const bad = structuredClone(stored);
    (bad.spec as { restartPolicy: string }).restartPolicy = 'Never';
    expect(fields(update(def, bad, stored).errs)).toEqual(['spec']);
  });

  it('/status keeps spec and takes status', () => {
    const { obj: stored } = create(def, nginx());
    const next = structuredClone(stored);
    (next.spec as { nodeName?: string }).nodeName = 'elsewhere';
    next.status = { phase: 'Running', podIP: '10.244.0.5' };
    const { obj, errs } = update(def, next, stored, 'status');
    expect(errs).toEqual([]);
    expect(obj.spec).toEqual(stored.spec);
    expect(obj.status).toEqual({ phase: 'Running', podIP: '10.244.0.5' });
    next.status = { phase: 'Dancing' };
    expect(fields(update(def, next, stored, 'status').errs)).toEqual(['status.phase']);
  });

  it('graceful deletion: 0 when unscheduled, terminationGracePeriodSeconds when bound', () => {
    const { obj } = create(def, nginx());
    expect(def.strategy.gracePeriodSeconds?.(obj, undefined)).toBe(0);
    (obj.spec as { nodeName: string }).nodeName = 'n1';
    expect(def.strategy.gracePeriodSeconds?.(obj, undefined)).toBe(30);
    expect(def.strategy.gracePeriodSeconds?.(obj, 5)).toBe(5);
  });

  it('selectable fields', () => {
    const { obj } = create(def, nginx());
    expect(def.strategy.selectableFields?.(obj)).toMatchObject({
      'spec.nodeName': '', 'spec.restartPolicy': 'Always', 'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default', 'status.phase': 'Pending',
    });
  });
  void ctx;
});

describe('pod table', () => {
  const base = () => create(def, nginx()).obj;

  it('pending pod like the upstream capture', () => {
    expect(Object.values(row(def, base(), NOW + 41_000))).toEqual(['nginx', '0/1', 'Pending', '0', '101s', '<none>', '<none>', '<none>', '<none>']);
  });

  it('running with restarts, IP and node', () => {
    const pod = base();
    (pod.spec as { nodeName: string }).nodeName = 'node-1';
    pod.status = {
      phase: 'Running',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      containerStatuses: [
        { name: 'nginx', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-11-23T09:55:00Z' } } },
      ],
    };
    expect(row(def, pod)).toMatchObject({ Ready: '1/1', Status: 'Running', Restarts: '2 (5m ago)', IP: '10.244.0.7', Node: 'node-1' });
  });

  it('waiting reason, init progress, terminating', () => {
    const pod = base();
    pod.status = { phase: 'Pending', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] };
    expect(row(def, pod).Status).toBe('ImagePullBackOff');
    (pod.spec as { initContainers: unknown[] }).initContainers = [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }];
    pod.status = { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { running: {} } }] };
    expect(row(def, pod).Status).toBe('Init:1/2');
    pod.metadata.deletionTimestamp = '2026-11-23T10:00:00Z';
    expect(row(def, pod).Status).toBe('Terminating');
  });

  it('completed with exit code', () => {
    const pod = base();
    pod.status = { phase: 'Failed', containerStatuses: [{ name: 'nginx', restartCount: 0, state: { terminated: { exitCode: 2 } } }] };
    expect(row(def, pod).Status).toBe('ExitCode:2');
  });

  it('1.33: a terminal pod being deleted keeps its phase; a gated pod says SchedulingGated; no "ago" without restarts', () => {
    const pod = base();
    pod.status = { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 0, finishedAt: '2026-11-23T09:55:00Z' } } }] };
    pod.metadata.deletionTimestamp = '2026-11-23T10:00:00Z';
    expect(row(def, pod)).toMatchObject({ Status: 'Completed', Restarts: '0' });
    const gated = base();
    gated.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] };
    expect(row(def, gated).Status).toBe('SchedulingGated');
  });

  it('declares the upstream columns in order with wide priorities', () => {
    expect(def.columns!.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1',
    ]);
    expect(def.columns![0]!.format).toBe('name');
  });
});

describe('sidecars and in-place resize (1.33)', () => {
  const withSidecar = (): KubeObject => {
    const p = nginx();
    (p.spec as Record<string, unknown>).initContainers = [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }] }];
    return p;
  };

  it('counts a started sidecar in READY and its restarts in RESTARTS, as kubectl 1.33 prints them', () => {
    const pod = create(def, withSidecar()).obj;
    pod.status = {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'proxy', started: false, ready: false, restartCount: 0, state: { running: {} } }],
    };
    expect(row(def, pod)).toMatchObject({ Ready: '0/2', Status: 'Init:0/1' });
    pod.status = {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-11-23T09:58:00Z' } } }],
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }],
    };
    expect(row(def, pod)).toMatchObject({ Ready: '2/2', Status: 'Running', Restarts: '1 (2m ago)' });
  });

  it('accepts an init container with restartPolicy Always and keeps it', () => {
    const { obj, errs } = create(def, withSidecar());
    expect(errs).toEqual([]);
    expect((obj.spec as { initContainers: { restartPolicy: string }[] }).initContainers[0]!.restartPolicy).toBe('Always');
  });

  it('refuses restartPolicy on app containers, other values on init containers, and resizePolicy on plain init containers', () => {
    const p = withSidecar();
    const spec = p.spec as { containers: Record<string, unknown>[]; initContainers: Record<string, unknown>[] };
    spec.containers[0]!.restartPolicy = 'Always';
    spec.initContainers.push({ name: 'setup', image: 'x', restartPolicy: 'Never' }, { name: 'init2', image: 'x', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }] });
    spec.containers[0]!.resizePolicy = [{ resourceName: 'gpu', restartPolicy: 'Sometimes' }];
    expect(fields(create(def, p).errs).sort()).toEqual([
      'spec.containers[0].resizePolicy[0].resourceName', 'spec.containers[0].resizePolicy[0].restartPolicy', 'spec.containers[0].restartPolicy',
      'spec.initContainers[1].restartPolicy', 'spec.initContainers[2].resizePolicy',
    ]);
  });

  it('pods/resize changes only cpu and memory of app containers and sidecars, keeping the QoS class', () => {
    const base = withSidecar();
    (base.spec as { containers: Record<string, unknown>[] }).containers[0]!.resources = { requests: { cpu: '100m', memory: '64Mi' } };
    const old = create(def, base).obj;
    const next = structuredClone(old);
    const c = (next.spec as { containers: { resources: Record<string, Record<string, string>>; image: string }[] }).containers[0]!;
    c.resources.requests!.cpu = '200m';
    c.image = 'nginx:2';
    const { obj, errs } = update(def, next, old, 'resize');
    expect(errs).toEqual([]);
    const got = (obj.spec as { containers: { resources: { requests: Record<string, string> }; image: string }[] }).containers[0]!;
    expect(got.resources.requests.cpu).toBe('200m');
    expect(got.image).toBe('nginx'); // not a resize field: kept

    const bad = structuredClone(old);
    const bc = (bad.spec as { containers: { resources: Record<string, Record<string, string>> }[] }).containers[0]!;
    bc.resources = { requests: { 'ephemeral-storage': '1Gi' } }; // no cpu or memory left: BestEffort
    expect(fields(update(def, bad, old, 'resize').errs).sort()).toEqual(['spec', 'spec.containers[0].resources.requests[ephemeral-storage]']);
  });
});
