import { describe, expect, it } from 'vitest';
import { useKplane } from './harness.js';
import { WRITE_VERSIONS, kubectlFor, managers, tag, type Obj } from './write-helpers.js';

// The kubectl commands that write through generators and patches: set, rollout, cordon, autoscale,
// expose, run, create -f of multi-document YAML and Lists, custom resources (apply, scale,
// server-side apply) and explain. Each step reads the stored result back.

const server = useKplane();

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function crd(group: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    schema:
      openAPIV3Schema:
        type: object
        description: A gadget for tests.
        properties:
          spec:
            type: object
            description: The desired gadget.
            properties:
              replicas: {type: integer, description: How many gadgets.}
              color: {type: string, description: Its color.}
              tags: {type: array, items: {type: string}}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
`;
}

for (const version of WRITE_VERSIONS) {
  describe(`kubectl ${version} write commands`, () => {
    const k = kubectlFor(() => server().kubeconfig, version);
    const ns = `cmd-${tag(version)}`;
    const n = ['-n', ns];
    const containers = () => k.get(ns, 'deployment', 'web').spec.template.spec.containers as Obj[];

    it('sets up a namespace and a two-container deployment', () => {
      k.ok(['create', 'namespace', ns]);
      k.ok([...n, 'create', 'deployment', 'web', '--image=nginx:1.27', '--port=80']);
      k.ok([...n, 'patch', 'deployment', 'web', '--type', 'json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox', env: [{ name: 'S', value: '1' }] } }])]);
    });

    it('set image changes one container only', () => {
      expect(k.ok([...n, 'set', 'image', 'deployment/web', 'nginx=nginx:1.28']).trim()).toBe('deployment.apps/web image updated');
      expect(containers().map((c) => [c.name, c.image])).toEqual([
        ['nginx', 'nginx:1.28'],
        ['side', 'busybox'],
      ]);
      expect(managers(k.get(ns, 'deployment', 'web'))).toContain('kubectl-set/Update');
    });

    it('set env adds and removes variables of one container', () => {
      expect(k.ok([...n, 'set', 'env', 'deployment/web', '-c', 'side', 'S=2', 'T=3']).trim()).toBe('deployment.apps/web env updated');
      expect(containers().find((c) => c.name === 'side')!.env).toEqual([
        { name: 'S', value: '2' },
        { name: 'T', value: '3' },
      ]);
      k.ok([...n, 'set', 'env', 'deployment/web', '-c', 'side', 'S-']);
      expect(containers().find((c) => c.name === 'side')!.env).toEqual([{ name: 'T', value: '3' }]);
      expect(containers().find((c) => c.name === 'nginx')!.env).toBeUndefined();
    });

    it('rollout pause, resume and restart patch the deployment', () => {
      expect(k.ok([...n, 'rollout', 'pause', 'deployment/web']).trim()).toBe('deployment.apps/web paused');
      expect(k.get(ns, 'deployment', 'web').spec.paused).toBe(true);
      expect(k.ok([...n, 'rollout', 'resume', 'deployment/web']).trim()).toBe('deployment.apps/web resumed');
      expect(k.get(ns, 'deployment', 'web').spec.paused).toBeUndefined();
      expect(k.ok([...n, 'rollout', 'restart', 'deployment/web']).trim()).toBe('deployment.apps/web restarted');
      const d = k.get(ns, 'deployment', 'web');
      expect(d.spec.template.metadata.annotations[RESTARTED_AT]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(managers(d)).toContain('kubectl-rollout/Update');
    });

    it('cordon and uncordon a node', () => {
      const node = `node-${tag(version)}`;
      k.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { role: 'test' } } }) });
      expect(k.ok(['cordon', node]).trim()).toBe(`node/${node} cordoned`);
      expect(k.get(undefined, 'node', node).spec.unschedulable).toBe(true);
      expect(k.ok(['get', 'node', node]).split('\n')[1]).toMatch(/SchedulingDisabled/);
      expect(k.ok(['uncordon', node]).trim()).toBe(`node/${node} uncordoned`);
      expect(k.get(undefined, 'node', node).spec.unschedulable).toBeUndefined();
      k.ok(['delete', 'node', node]);
    });

    it('autoscale creates a HorizontalPodAutoscaler for the deployment', () => {
      expect(k.ok([...n, 'autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70']).trim()).toBe('horizontalpodautoscaler.autoscaling/web autoscaled');
      const hpa = k.get(ns, 'hpa', 'web');
      expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } });
      expect(JSON.stringify(hpa.spec)).toContain('70');
    });

    it('expose creates a Service selecting the deployment', () => {
      expect(k.ok([...n, 'expose', 'deployment', 'web', '--port=8080', '--target-port=80']).trim()).toBe('service/web exposed');
      const svc = k.get(ns, 'service', 'web');
      expect(svc.spec.selector).toEqual({ app: 'web' });
      expect(svc.spec.ports).toEqual([{ port: 8080, targetPort: 80, protocol: 'TCP' }]);
      expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it('run creates a pod', () => {
      expect(k.ok([...n, 'run', 'once', '--image=busybox', '--restart=Never', '--labels=app=once', '--', 'sleep', '1']).trim()).toBe('pod/once created');
      const pod = k.get(ns, 'pod', 'once');
      expect(pod.spec.containers[0]).toMatchObject({ name: 'once', image: 'busybox', args: ['sleep', '1'] });
      expect(pod.spec.restartPolicy).toBe('Never');
      expect(pod.metadata.labels).toEqual({ app: 'once' });
      // The scheduler's status writes (PodScheduled) are its own, on the status subresource.
      expect(managers(pod).filter((m) => !m.endsWith('/status'))).toEqual(['kubectl-run/Update']);
    });

    it('create -f of a multi-document YAML and of a List', () => {
      const multi = `apiVersion: v1
kind: ConfigMap
metadata: {name: m1, namespace: ${ns}}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: m2, namespace: ${ns}}
stringData: {p: secret}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: l1, namespace: ${ns}}
  data: {b: "2"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: l2, namespace: ${ns}}
  spec:
    selector: {matchLabels: {app: l2}}
    template:
      metadata: {labels: {app: l2}}
      spec: {containers: [{name: c, image: busybox}]}
`;
      const out = k.ok(['create', '-f', k.file('multi.yaml', multi)]);
      expect(out.trim().split('\n')).toEqual(['configmap/m1 created', 'secret/m2 created', 'configmap/l1 created', 'deployment.apps/l2 created']);
      expect(k.get(ns, 'cm', 'm1').data).toEqual({ a: '1' });
      expect(Buffer.from(k.get(ns, 'secret', 'm2').data.p, 'base64').toString()).toBe('secret');
      expect(k.get(ns, 'cm', 'l1').data).toEqual({ b: '2' });
      expect(k.get(ns, 'deployment', 'l2').spec.replicas).toBe(1);
      // A JSON List through stdin, and apply of the same List (client-side).
      const list = { apiVersion: 'v1', kind: 'List', items: [1, 2].map((i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `j${i}`, namespace: ns }, data: { i: String(i) } })) };
      expect(k.ok(['create', '-f', '-'], { input: JSON.stringify(list) }).trim().split('\n')).toEqual(['configmap/j1 created', 'configmap/j2 created']);
      expect(k.ok(['apply', '-f', '-'], { input: JSON.stringify(list) }).trim().split('\n')).toEqual(['configmap/j1 configured', 'configmap/j2 configured']);
      expect(k.get(ns, 'cm', 'j2').metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"i":"2"');
    });

    it('custom resources: client-side apply (merge patch), scale subresource, server-side apply', () => {
      const group = `g${tag(version)}.example.com`;
      k.ok(['apply', '-f', k.file('crd.yaml', crd(group))]);
      k.ok(['wait', '--for=condition=established', `crd/gadgets.${group}`, '--timeout=30s']);
      const cr = (color: string, extra = '') => `apiVersion: ${group}/v1
kind: Gadget
metadata: {name: g1, namespace: ${ns}}
spec: {replicas: 1, color: ${color}, tags: [a]${extra}}
`;
      expect(k.ok(['apply', '-f', k.file('g.yaml', cr('red'))]).trim()).toBe(`gadget.${group}/g1 created`);
      expect(k.ok(['apply', '-f', k.file('g.yaml', cr('blue'))]).trim()).toBe(`gadget.${group}/g1 configured`);
      expect(k.get(ns, `gadgets.${group}`, 'g1').spec).toEqual({ replicas: 1, color: 'blue', tags: ['a'] });
      expect(k.ok([...n, 'scale', `gadgets.${group}`, 'g1', '--replicas=4']).trim()).toBe(`gadget.${group}/g1 scaled`);
      let g = k.get(ns, `gadgets.${group}`, 'g1');
      expect(g.spec).toEqual({ replicas: 4, color: 'blue', tags: ['a'] });
      expect(managers(g)).toContain(`kubectl.${version}/Update/scale`);
      // A strategic merge patch of a custom resource answers 415, which kubectl reports.
      const smp = k.run([...n, 'patch', `gadgets.${group}`, 'g1', '-p', '{"spec":{"color":"x"}}']);
      expect(smp.code).toBe(1);
      expect(smp.stderr).toContain(`application/strategic-merge-patch+json is not supported by ${group}/v1, Kind=Gadget`);
      const ops = `apiVersion: ${group}/v1
kind: Gadget
metadata: {name: g1, namespace: ${ns}}
spec: {color: green}
`;
      expect(k.run(['apply', '--server-side', '--field-manager=ops', '-f', k.file('ops.yaml', ops)]).stderr).toContain(`conflict with "kubectl-client-side-apply" using ${group}/v1: .spec.color`);
      k.ok(['apply', '--server-side', '--field-manager=ops', '--force-conflicts', '-f', k.file('ops.yaml', ops)]);
      g = k.get(ns, `gadgets.${group}`, 'g1');
      expect(g.spec.color).toBe('green');
      expect(managers(g)).toContain('ops/Apply');
    });

    it('explain: built-in fields, --recursive, and a custom resource', () => {
      const tpl = k.ok(['explain', 'deployment.spec.template']);
      expect(tpl).toMatch(/KIND:\s+Deployment/);
      expect(tpl).toMatch(/FIELD:\s+template <PodTemplateSpec>/);
      expect(tpl).toContain('Template describes the pods that will be created.');
      expect(tpl).toMatch(/^\s+spec\s+<PodSpec>/m);
      const rec = k.ok(['explain', 'deployment.spec.template', '--recursive']);
      expect(rec).toMatch(/^\s+containers\s+<\[\]Container> -required-$/m);
      expect(rec).toMatch(/^\s+imagePullPolicy\s+<string>/m);
      const group = `g${tag(version)}.example.com`;
      const g = k.ok(['explain', `gadgets.${group}.spec`]);
      expect(g).toMatch(/KIND:\s+Gadget/);
      expect(g).toContain('The desired gadget.');
      expect(g).toMatch(/^\s+replicas\s+<integer>\n\s+How many gadgets\./m);
    });
  });
}
