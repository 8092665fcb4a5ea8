import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { useKplane } from './harness.js';
import { WRITE_VERSIONS, goJson, kubectlFor, managers, tag, type Obj } from './write-helpers.js';

// kubectl apply against the built binary: client-side (last-applied annotation, strategic merge
// patch), server-side (managers, conflicts, force, dropped fields), and the migration kubectl
// performs from the first to the second.

const server = useKplane();

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function deployment(ns: string, appEnvA: string, sideEnv = 's1', withB = true): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        env:
        - name: A
          value: "${appEnvA}"
${withB ? '        - name: B\n          value: "x"\n' : ''}        ports:
        - containerPort: 80
      - name: side
        image: busybox
        command: ["sleep", "3600"]
        env:
        - name: S
          value: "${sideEnv}"
`;
}

function configMap(ns: string, name: string, data: Record<string, string>): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"`)
  .join('\n')}
`;
}

/** What kubectl stores as last-applied: the manifest with an empty annotations map, as Go's json.Marshal writes it, plus "\n". */
function lastApplied(manifest: string): string {
  const obj = parse(manifest) as Obj;
  obj.metadata.annotations ??= {};
  return `${goJson(obj)}\n`;
}

/** One manifest of many kinds; none of them has a field the server rewrites, so a re-apply is "unchanged". */
function manyKinds(ns: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: s1, namespace: ${ns}}
spec:
  selector: {app: a}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: dns, port: 53, protocol: UDP}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa1, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r1, namespace: ${ns}}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb1, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}
subjects:
- {kind: ServiceAccount, name: sa1, namespace: ${ns}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: ${ns}}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec: {containers: [{name: c, image: nginx}], tolerations: [{operator: Exists}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing, namespace: ${ns}}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: s1, port: {number: 80}}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc, namespace: ${ns}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ${ns}}
spec:
  containers: [{name: c, image: nginx, resources: {limits: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`;
}

const container = (d: Obj, name: string): Obj => (d.spec.template.spec.containers as Obj[]).find((c) => c.name === name)!;

for (const version of WRITE_VERSIONS) {
  describe(`kubectl ${version} apply`, () => {
    const k = kubectlFor(() => server().kubeconfig, version);
    const ns = `apply-${tag(version)}`;

    it('creates the namespace', () => {
      k.ok(['create', 'namespace', ns]);
    });

    it('client-side apply: create keeps last-applied-configuration exactly as sent', () => {
      const manifest = deployment(ns, '1');
      const out = k.ok(['apply', '-f', k.file('web.yaml', manifest)]);
      expect(out.trim()).toBe('deployment.apps/web created');
      const d = k.get(ns, 'deployment', 'web');
      expect(d.metadata.annotations[LAST_APPLIED]).toBe(lastApplied(manifest));
      // The deployment controller's status writes are its own (manager on the status subresource).
      expect(managers(d).filter((m) => !m.endsWith('/status'))).toEqual(['kubectl-client-side-apply/Update']);
      expect(d.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['app', 'side']);
    });

    it('client-side apply: changing one env var leaves the other container and fields untouched', () => {
      const before = k.get(ns, 'deployment', 'web');
      const manifest = deployment(ns, '2');
      expect(k.ok(['apply', '-f', k.file('web.yaml', manifest)]).trim()).toBe('deployment.apps/web configured');
      const d = k.get(ns, 'deployment', 'web');
      expect(container(d, 'app').env).toEqual([
        { name: 'A', value: '2' },
        { name: 'B', value: 'x' },
      ]);
      expect(container(d, 'app').ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
      expect(container(d, 'side')).toEqual(container(before, 'side'));
      expect(d.metadata.generation).toBe(before.metadata.generation + 1);
      expect(d.metadata.annotations[LAST_APPLIED]).toBe(lastApplied(manifest));
    });

    it('client-side apply: an unchanged manifest changes nothing', () => {
      const before = k.get(ns, 'deployment', 'web');
      expect(k.ok(['apply', '-f', k.file('web.yaml', deployment(ns, '2'))]).trim()).toBe('deployment.apps/web unchanged');
      expect(k.get(ns, 'deployment', 'web').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('client-side apply: removing an env var from the manifest removes it', () => {
      k.ok(['apply', '-f', k.file('web.yaml', deployment(ns, '2', 's1', false))]);
      expect(container(k.get(ns, 'deployment', 'web'), 'app').env).toEqual([{ name: 'A', value: '2' }]);
    });

    it('server-side apply after a client-side apply migrates ownership to the apply manager', () => {
      const out = k.ok(['apply', '--server-side', '-f', k.file('web.yaml', deployment(ns, '3'))]);
      expect(out.trim()).toBe('deployment.apps/web serverside-applied');
      let d = k.get(ns, 'deployment', 'web');
      expect(container(d, 'app').env).toEqual([
        { name: 'A', value: '3' },
        { name: 'B', value: 'x' },
      ]);
      expect(managers(d)).toContain('kubectl/Apply');
      expect(managers(d)).not.toContain('kubectl-client-side-apply/Update');
      // The migrated manager owns what client-side apply owned, so it can drop a field.
      k.ok(['apply', '--server-side', '-f', k.file('web.yaml', deployment(ns, '3', 's2', false))]);
      d = k.get(ns, 'deployment', 'web');
      expect(container(d, 'app').env).toEqual([{ name: 'A', value: '3' }]);
      expect(container(d, 'side').env).toEqual([{ name: 'S', value: 's2' }]);
    });

    it('server-side apply: creates, reports conflicts naming manager and field, force takes over', () => {
      const alice = k.file('alice.yaml', configMap(ns, 'shared', { a: '1', b: '1' }));
      expect(k.ok(['apply', '--server-side', '--field-manager=alice', '-f', alice]).trim()).toBe('configmap/shared serverside-applied');
      const bobFile = k.file('bob.yaml', configMap(ns, 'shared', { a: '2' }));
      const conflict = k.run(['apply', '--server-side', '--field-manager=bob', '-f', bobFile]);
      expect(conflict.code).toBe(1);
      expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .data.a');
      expect(k.get(ns, 'configmap', 'shared').data).toEqual({ a: '1', b: '1' });

      k.ok(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', bobFile]);
      const cm = k.get(ns, 'configmap', 'shared');
      expect(cm.data).toEqual({ a: '2', b: '1' });
      expect(managers(cm)).toEqual(['alice/Apply', 'bob/Apply']);
      const owned = (m: string) => (cm.metadata.managedFields as Obj[]).find((e) => e.manager === m)!.fieldsV1;
      expect(owned('alice')).toEqual({ 'f:data': { '.': {}, 'f:b': {} } });
      expect(owned('bob')).toEqual({ 'f:data': { '.': {}, 'f:a': {} } });
    });

    it('server-side apply: a manager that stops applying a field removes it', () => {
      k.ok(['apply', '--server-side', '--field-manager=alice', '-f', k.file('alice.yaml', configMap(ns, 'shared', { c: '1' }))]);
      expect(k.get(ns, 'configmap', 'shared').data).toEqual({ a: '2', c: '1' });
    });

    it('server-side apply: an unchanged apply keeps the resourceVersion', () => {
      const before = k.get(ns, 'configmap', 'shared');
      k.ok(['apply', '--server-side', '--field-manager=alice', '-f', k.file('alice.yaml', configMap(ns, 'shared', { c: '1' }))]);
      expect(k.get(ns, 'configmap', 'shared').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('applies many kinds; re-applying them (client- or server-side) is unchanged', () => {
      const file = k.file('many.yaml', manyKinds(ns));
      const created = k.ok(['apply', '-f', file]).trim().split('\n');
      expect(created).toHaveLength(10);
      for (const line of created) expect(line).toMatch(/ created$/);
      for (const line of k.ok(['apply', '-f', file]).trim().split('\n')) expect(line).toMatch(/ unchanged$/);
      for (const line of k.ok(['apply', '--server-side', '-f', file]).trim().split('\n')) expect(line).toMatch(/ serverside-applied$/);
      const rv = k.get(ns, 'rolebinding', 'rb1').metadata.resourceVersion;
      k.ok(['apply', '--server-side', '-f', file]);
      expect(k.get(ns, 'rolebinding', 'rb1').metadata.resourceVersion).toBe(rv);
      const svc = k.get(ns, 'service', 's1');
      expect(svc.spec.ports).toEqual([
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      ]);
    });

    it('diff --server-side shows a server-side apply without making it', () => {
      k.ok(['apply', '--server-side', '-f', k.file('ssd.yaml', configMap(ns, 'ssd', { a: '1' }))]);
      const before = k.get(ns, 'configmap', 'ssd');
      const diff = k.run(['diff', '--server-side', '-f', k.file('ssd.yaml', configMap(ns, 'ssd', { a: '2' }))]);
      expect(diff.code, diff.stderr).toBe(1);
      expect(diff.stdout).toMatch(/^-\s+a: "1"$/m);
      expect(diff.stdout).toMatch(/^\+\s+a: "2"$/m);
      expect(k.get(ns, 'configmap', 'ssd').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('apply --dry-run=server and diff change nothing', () => {
      const before = k.get(ns, 'deployment', 'web');
      const changed = k.file('web.yaml', deployment(ns, '9'));
      expect(k.ok(['apply', '--dry-run=server', '-f', changed]).trim()).toBe('deployment.apps/web configured (server dry run)');
      const diff = k.run(['diff', '-f', changed]);
      expect(diff.code, diff.stderr).toBe(1);
      expect(diff.stdout).toMatch(/^-\s+value: "3"$/m);
      expect(diff.stdout).toMatch(/^\+\s+value: "9"$/m);
      expect(k.get(ns, 'deployment', 'web').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      // A new object: dry-run create, still absent afterwards; diff shows it whole.
      const fresh = k.file('fresh.yaml', configMap(ns, 'fresh', { x: '1' }));
      expect(k.ok(['apply', '--dry-run=server', '-f', fresh]).trim()).toBe('configmap/fresh created (server dry run)');
      expect(k.ok(['apply', '--server-side', '--dry-run=server', '-f', fresh]).trim()).toBe('configmap/fresh serverside-applied (server dry run)');
      const d2 = k.run(['diff', '-f', fresh]);
      expect(d2.code).toBe(1);
      expect(d2.stdout).toMatch(/^\+\s+x: "1"$/m);
      expect(k.run(['-n', ns, 'get', 'cm', 'fresh']).code).toBe(1);
      // No difference: exit 0 (the last server-side apply also wrote the last-applied annotation).
      const same = k.run(['diff', '-f', k.file('same.yaml', deployment(ns, '3', 's2', false))]);
      expect(same.code, same.stdout + same.stderr).toBe(0);
    });
  });
}
