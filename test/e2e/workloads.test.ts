import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlBinary, useKplane } from './harness.js';
import { WRITE_VERSIONS } from './write-helpers.js';

// Workload controllers end to end with real kubectl: Deployment rollouts (status, history, undo,
// --to-revision, scale, Available, pause/resume), Jobs (Complete, Indexed, --from=cronjob), a
// CronJob firing, a StatefulSet coming up in order and a DaemonSet on every untainted node. The
// kubectl versions run side by side, each in its own namespace, against one server with three
// simulated nodes (the scheduler binds, the hollow kubelets run the pods); one node is tainted.

const server = useKplane({ args: ['--hollow-nodes', '3', '--hollow-node-pod-start', '300ms', '--hollow-node-job-duration', '1s'] });
let nodes: string[] = [];

beforeAll(async () => {
  nodes = await eventually('three ready nodes', async () => {
    const items = (await json(VERSION, ['get', 'nodes'])).items as any[];
    const ready = items.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === 3 ? ready.map((n) => n.metadata.name as string).sort() : undefined;
  });
  await ok(VERSION, ['taint', 'nodes', nodes[2]!, 'dedicated=db:NoSchedule']);
}, 90_000);

function run(version: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  const kubeconfig = server().kubeconfig;
  return new Promise((resolve) => {
    const child = execFile(
      kubectlBinary(version),
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: 90_000, env: { ...process.env, HOME: join(dirname(kubeconfig), `home-${version}`) } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function ok(version: string, args: string[], input?: string): Promise<string> {
  const r = await run(version, args, input);
  expect(r.code, `kubectl ${version} ${args.join(' ')}\n${r.out}`).toBe(0);
  return r.out;
}

const json = async (version: string, args: string[]) => JSON.parse(await ok(version, [...args, '-o', 'json']));

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const VERSION = WRITE_VERSIONS.at(-1) ?? '1.33';

describe.concurrent('workload controllers', () => {
  for (const version of WRITE_VERSIONS) {
    const ns = `wl-${version.replace('.', '-')}`;
    const n = ['-n', ns];
    const image = async () => (await json(version, [...n, 'get', 'deployment', 'web'])).spec.template.spec.containers[0].image;

    it(`kubectl ${version}: a Deployment rolls out, updates, undoes, scales, pauses and resumes`, async () => {
      await ok(version, ['create', 'namespace', ns]);
      await ok(version, [...n, 'create', 'deployment', 'web', '--image=nginx:1', '--replicas=3']);
      expect(await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s'])).toContain('successfully rolled out');
      await ok(version, [...n, 'set', 'image', 'deployment/web', 'nginx=nginx:2']);
      expect(await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s'])).toContain('successfully rolled out');
      const history = await ok(version, [...n, 'rollout', 'history', 'deployment/web']);
      expect(history).toMatch(/^1\s/m);
      expect(history).toMatch(/^2\s/m);

      await ok(version, [...n, 'rollout', 'undo', 'deployment/web']);
      await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
      expect(await image()).toBe('nginx:1');
      await ok(version, [...n, 'rollout', 'undo', 'deployment/web', '--to-revision=2']);
      await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
      expect(await image()).toBe('nginx:2');
      const d = await json(version, [...n, 'get', 'deployment', 'web']);
      expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');
      expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata.generation });

      await ok(version, [...n, 'scale', 'deployment/web', '--replicas=5']);
      await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
      await ok(version, [...n, 'scale', 'deployment/web', '--replicas=2']);
      await eventually('2 pods', async () => ((await json(version, [...n, 'get', 'pods', '-l', 'app=web'])).items.length === 2 ? true : undefined));
      await ok(version, [...n, 'wait', '--for=condition=Available', 'deployment/web', '--timeout=90s']);

      await ok(version, [...n, 'rollout', 'pause', 'deployment/web']);
      await ok(version, [...n, 'set', 'image', 'deployment/web', 'nginx=nginx:3']);
      await eventually('the paused condition', async () => {
        const p = (await json(version, [...n, 'get', 'deployment', 'web'])).status.conditions.find((c: { type: string }) => c.type === 'Progressing');
        return p.reason === 'DeploymentPaused' ? true : undefined;
      });
      const rsImages = async () => (await json(version, [...n, 'get', 'rs'])).items.map((rs: any) => rs.spec.template.spec.containers[0].image).sort();
      expect(await rsImages()).toEqual(['nginx:1', 'nginx:2']);
      await ok(version, [...n, 'rollout', 'resume', 'deployment/web']);
      await ok(version, [...n, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
      expect(await rsImages()).toEqual(['nginx:1', 'nginx:2', 'nginx:3']);
    }, 240_000);

    it(`kubectl ${version}: a Job completes; create job --from=cronjob runs one`, async () => {
      const jns = `${ns}-jobs`;
      await ok(version, ['create', 'namespace', jns]);
      await ok(version, ['-n', jns, 'create', 'job', 'pi', '--image=busybox', '--', 'true']);
      await ok(version, ['-n', jns, 'wait', '--for=condition=Complete', 'job/pi', '--timeout=90s']);
      const job = await json(version, ['-n', jns, 'get', 'job', 'pi']);
      expect(job.status).toMatchObject({ succeeded: 1, uncountedTerminatedPods: {} });
      expect(job.status.completionTime).toBeDefined();
      await ok(version, ['-n', jns, 'create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'true']);
      await ok(version, ['-n', jns, 'create', 'job', 'now', '--from=cronjob/nightly']);
      await ok(version, ['-n', jns, 'wait', '--for=condition=Complete', 'job/now', '--timeout=90s']);
    }, 180_000);

    it(`kubectl ${version}: StatefulSet and DaemonSet history and undo through ControllerRevisions`, async () => {
      const hns = `${ns}-history`;
      const h = ['-n', hns];
      await ok(version, ['create', 'namespace', hns]);
      const manifest = (kind: string, name: string, extra: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${hns}}
spec:
${extra}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: ${name}:1}]}
`;
      await ok(version, ['apply', '-f', '-'], manifest('StatefulSet', 'db', '  replicas: 2\n  serviceName: db\n'));
      await ok(version, ['apply', '-f', '-'], manifest('DaemonSet', 'agent', ''));
      for (const [res, name] of [['statefulset', 'db'], ['daemonset', 'agent']] as const) {
        const target = `${res}/${name}`;
        const image = async () => (await json(version, [...h, 'get', target])).spec.template.spec.containers[0].image;
        await ok(version, [...h, 'rollout', 'status', target, '--timeout=90s']);
        await ok(version, [...h, 'set', 'image', target, `c=${name}:2`]);
        await ok(version, [...h, 'rollout', 'status', target, '--timeout=90s']);
        const history = await ok(version, [...h, 'rollout', 'history', target]);
        expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
        expect(await ok(version, [...h, 'rollout', 'history', target, '--revision=1'])).toContain(`Image:\t${name}:1`);

        // Undo to the previous revision: revision 1's template comes back as revision 3.
        expect(await ok(version, [...h, 'rollout', 'undo', target])).toContain('rolled back');
        await ok(version, [...h, 'rollout', 'status', target, '--timeout=90s']);
        expect(await image()).toBe(`${name}:1`);
        expect(await ok(version, [...h, 'rollout', 'history', target])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
        // The revision's bytes equal kubectl's own encoding of the current template: a no-op undo is skipped.
        expect(await ok(version, [...h, 'rollout', 'undo', target, '--to-revision=3'])).toContain('skipped rollback (current template already matches revision 3)');
        const missing = await run(version, [...h, 'rollout', 'undo', target, '--to-revision=9']);
        expect([missing.code, missing.out.trim()]).toEqual([1, 'error: unable to find specified revision 9 in history']);
        await ok(version, [...h, 'rollout', 'undo', target, '--to-revision=2']);
        await ok(version, [...h, 'rollout', 'status', target, '--timeout=90s']);
        expect(await image()).toBe(`${name}:2`);

        const revisions = (await json(version, [...h, 'get', 'controllerrevisions', '-l', `app=${name}`])).items as any[];
        expect(revisions.map((r) => r.revision).sort()).toEqual([3, 4]);
        for (const r of revisions) expect(r.metadata.ownerReferences).toMatchObject([{ kind: res === 'statefulset' ? 'StatefulSet' : 'DaemonSet', name, controller: true }]);
        const newest = revisions.find((r) => r.revision === 4);
        const hash = newest.metadata.labels['controller-revision-hash'];
        // StatefulSet pods carry the revision's name, DaemonSet pods its hash (as upstream's).
        const podLabel = res === 'statefulset' ? newest.metadata.name : hash;
        await eventually('pods of the newest revision', async () => {
          const now = (await json(version, [...h, 'get', 'pods', '-l', `app=${name}`])).items as any[];
          return now.length && now.every((p) => p.metadata.labels['controller-revision-hash'] === podLabel) ? true : undefined;
        });
      }
      const sts = await json(version, [...h, 'get', 'statefulset', 'db']);
      expect(sts.status).toMatchObject({ currentRevision: sts.status.updateRevision, collisionCount: 0, currentReplicas: 2, updatedReplicas: 2 });
      expect(sts.status.updateRevision).toMatch(/^db-[a-z0-9]+$/);
    }, 240_000);
  }

  it('an Indexed Job completes every index', async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata: {name: indexed, namespace: default}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
`;
    await ok(VERSION, ['apply', '-f', '-'], manifest);
    await ok(VERSION, ['wait', '--for=condition=Complete', 'job/indexed', '--timeout=90s']);
    const job = await json(VERSION, ['get', 'job', 'indexed']);
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
  });

  it('a CronJob fires on its schedule', async () => {
    await ok(VERSION, ['create', 'namespace', 'cron']);
    await ok(VERSION, ['-n', 'cron', 'create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'true']);
    // The first run is at the next full minute: at most ~60 s away.
    const job = await eventually('a job of the cronjob', async () => (await json(VERSION, ['-n', 'cron', 'get', 'jobs'])).items[0], 75_000);
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toMatch(/:00Z$/);
    await eventually('lastScheduleTime', async () => (await json(VERSION, ['-n', 'cron', 'get', 'cronjob', 'tick'])).status.lastScheduleTime);
  }, 100_000);

  it('a StatefulSet comes up in order', async () => {
    const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
    await ok(VERSION, ['apply', '-f', '-'], manifest);
    await ok(VERSION, ['rollout', 'status', 'statefulset/db', '--timeout=90s']);
    const pods = (await json(VERSION, ['get', 'pods', '-l', 'app=db'])).items as any[];
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    // Each pod was created only after the one before it was ready.
    const byName = Object.fromEntries(pods.map((p) => [p.metadata.name, p]));
    const readySince = (p: any) => Date.parse(p.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
    for (const [prev, next] of [['db-0', 'db-1'], ['db-1', 'db-2']]) {
      expect(Date.parse(byName[next].metadata.creationTimestamp)).toBeGreaterThanOrEqual(readySince(byName[prev]));
    }
    expect(byName['db-1'].spec).toMatchObject({ hostname: 'db-1', subdomain: 'db' });
    const claims = (await json(VERSION, ['get', 'pvc'])).items.map((c: any) => c.metadata.name).sort();
    expect(claims).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
  });

  it('a DaemonSet covers every node but the tainted one', async () => {
    const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: agent}]}
`;
    await ok(VERSION, ['apply', '-f', '-'], manifest);
    await ok(VERSION, ['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    const pods = (await json(VERSION, ['get', 'pods', '-l', 'app=agent'])).items as any[];
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes.slice(0, 2));
    const ds = await json(VERSION, ['get', 'daemonset', 'agent']);
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberMisscheduled: 0 });

    // A surge update: an updated pod starts beside the old one before any old pod is deleted.
    await ok(VERSION, ['patch', 'daemonset', 'agent', '--type=merge', '-p', '{"spec":{"minReadySeconds":1,"updateStrategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}']);
    await ok(VERSION, ['set', 'image', 'daemonset/agent', 'c=agent:2']);
    await ok(VERSION, ['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    const all = ((await json(VERSION, ['get', 'events', '--field-selector', 'involvedObject.name=agent'])).items as any[])
      .filter((e) => e.involvedObject.kind === 'DaemonSet')
      .sort((a, b) => (a.eventTime ?? a.firstTimestamp).localeCompare(b.eventTime ?? b.firstTimestamp));
    const seen = all.map((e) => `${e.eventTime ?? e.firstTimestamp} ${e.reason}: ${e.message} (${e.count ?? e.series?.count ?? 1})`).join('\n');
    // (A create may fail while the namespace's ServiceAccount is not there yet: FailedCreate, retried.)
    const events = all.map((e) => e.reason).filter((r) => r !== 'FailedCreate');
    // Two creates for the first rollout, then the update: a create comes first, two of each in all.
    expect(events.slice(0, 3), seen).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
    expect(events.filter((r) => r === 'SuccessfulCreate').length, seen).toBe(4);
    expect(events.filter((r) => r === 'SuccessfulDelete').length, seen).toBe(2);
    // (Old pods may still be terminating on their hollow nodes.)
    const updated = ((await json(VERSION, ['get', 'pods', '-l', 'app=agent'])).items as any[]).filter((p) => !p.metadata.deletionTimestamp);
    expect(updated.map((p) => [p.spec.nodeName, p.spec.containers[0].image]).sort()).toEqual(nodes.slice(0, 2).map((n) => [n, 'agent:2']));
  });
});
