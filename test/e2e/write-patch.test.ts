import { describe, expect, it } from 'vitest';
import { useKplane } from './harness.js';
import { WRITE_VERSIONS, kubectlFor, managers, tag, type Obj } from './write-helpers.js';

// kubectl patch (all three types), edit, replace, scale, label and annotate against the built
// binary; every step reads the stored object back.

const server = useKplane();

const REJECTED = 'the server rejected our request due to an error in our request';
const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

for (const version of WRITE_VERSIONS) {
  describe(`kubectl ${version} patch, edit, replace, scale`, () => {
    const k = kubectlFor(() => server().kubeconfig, version);
    const ns = `patch-${tag(version)}`;
    const n = ['-n', ns];

    it('sets up a namespace, a configmap and a two-container deployment', () => {
      k.ok(['create', 'namespace', ns]);
      k.ok([...n, 'create', 'configmap', 'cm', '--from-literal=a=v1']);
      k.ok([...n, 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
      k.ok([...n, 'patch', 'deployment', 'web', '--type', 'json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox', command: ['sleep', '1'] } }])]);
      expect(k.get(ns, 'deployment', 'web').spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx', 'side']);
    });

    it('patch --type merge and json, with the manager recorded', () => {
      expect(k.ok([...n, 'patch', 'cm', 'cm', '--type', 'merge', '-p', '{"data":{"b":"v1"}}']).trim()).toBe('configmap/cm patched');
      k.ok([...n, 'patch', 'cm', 'cm', '--type', 'json', '-p', '[{"op":"test","path":"/data/a","value":"v1"},{"op":"replace","path":"/data/a","value":"v2"},{"op":"remove","path":"/data/b"}]']);
      const cm = k.get(ns, 'cm', 'cm');
      expect(cm.data).toEqual({ a: 'v2' });
      expect(managers(cm)).toEqual(['kubectl-create/Update', 'kubectl-patch/Update']);
    });

    it('a failed json-patch test exits 1 with the 422 message and changes nothing', () => {
      const before = k.get(ns, 'cm', 'cm');
      const r = k.run([...n, 'patch', 'cm', 'cm', '--type', 'json', '-p', '[{"op":"test","path":"/data/a","value":"nope"},{"op":"replace","path":"/data/a","value":"x"}]']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('The request is invalid');
      const verbose = k.run([...n, 'patch', 'cm', 'cm', '--type', 'json', '-p', '[{"op":"test","path":"/data/a","value":"nope"}]', '-v=8']).stderr;
      expect(verbose).toMatch(/422 Unprocessable Entity/);
      expect(verbose).toContain(REJECTED);
      expect(k.get(ns, 'cm', 'cm').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('a stale resourceVersion in a patch body is a 409 Conflict', () => {
      const rv = k.get(ns, 'cm', 'cm').metadata.resourceVersion;
      k.ok([...n, 'patch', 'cm', 'cm', '--type', 'merge', '-p', '{"data":{"c":"1"}}']);
      const json = k.run([...n, 'patch', 'cm', 'cm', '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/metadata/resourceVersion', value: rv }, { op: 'add', path: '/data/d', value: '1' }])]);
      expect(json.code).toBe(1);
      expect(json.stderr).toContain(`Error from server (Conflict): Operation cannot be fulfilled on configmaps "cm": ${MODIFIED}`);
      const merge = k.run([...n, 'patch', 'cm', 'cm', '--type', 'merge', '-p', JSON.stringify({ metadata: { resourceVersion: rv }, data: { d: '1' } })]);
      expect(merge.code).toBe(1);
      expect(merge.stderr).toContain('(Conflict)');
      const smp = k.run([...n, 'patch', 'cm', 'cm', '-p', JSON.stringify({ metadata: { resourceVersion: rv }, data: { d: '1' } })]);
      expect(smp.code).toBe(1);
      expect(smp.stderr).toContain('(Conflict)');
      expect(k.get(ns, 'cm', 'cm').data).toEqual({ a: 'v2', c: '1' });
    });

    it('patch (strategic, the default) merges containers by name', () => {
      k.ok([...n, 'patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}']);
      const d = k.get(ns, 'deployment', 'web');
      expect(d.spec.template.spec.containers.map((c: Obj) => [c.name, c.image])).toEqual([
        ['nginx', 'nginx:1.27'],
        ['side', 'busybox:1.36'],
      ]);
      expect(d.spec.template.spec.containers[1].command).toEqual(['sleep', '1']);
      // $patch: delete removes one item of a merged list.
      k.ok([...n, 'patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}']);
      expect(k.get(ns, 'deployment', 'web').spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx']);
    });

    it('patch --subresource=status changes only the status; the main resource ignores status', () => {
      const before = k.get(ns, 'deployment', 'web');
      // The patch's own response shows what it stored: the deployment controller rewrites the
      // status right after, as upstream's does.
      const patched = JSON.parse(k.ok([...n, 'patch', 'deployment', 'web', '--subresource=status', '--type', 'merge', '-p', '{"spec":{"replicas":9},"status":{"replicas":2,"observedGeneration":1}}', '-o', 'json', '--show-managed-fields']));
      expect(patched.status).toMatchObject({ replicas: 2, observedGeneration: 1 });
      let d = k.get(ns, 'deployment', 'web');
      expect(d.spec.replicas).toBe(before.spec.replicas);
      expect(managers(patched)).toContain('kubectl-patch/Update/status');
      k.ok([...n, 'patch', 'deployment', 'web', '--type', 'merge', '-p', '{"status":{"replicas":7}}']);
      d = k.get(ns, 'deployment', 'web');
      expect(d.status.replicas).not.toBe(7);
    });

    it('edit with a non-interactive EDITOR sends a strategic merge patch', () => {
      const r = k.run([...n, 'edit', 'cm', 'cm'], { env: { EDITOR: 'sed -i s/a:\\ v2/a:\\ v3/' } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('configmap/cm edited');
      const cm = k.get(ns, 'cm', 'cm');
      expect(cm.data).toEqual({ a: 'v3', c: '1' });
      expect(managers(cm)).toContain('kubectl-edit/Update');
    });

    it('replace -f stores the object; a stale resourceVersion is a Conflict', () => {
      const cm = k.get(ns, 'cm', 'cm');
      delete cm.metadata.managedFields;
      const replaced = { ...cm, data: { only: 'this' } };
      expect(k.ok(['replace', '-f', '-'], { input: JSON.stringify(replaced) }).trim()).toBe('configmap/cm replaced');
      expect(k.get(ns, 'cm', 'cm').data).toEqual({ only: 'this' });
      const stale = k.run(['replace', '-f', '-'], { input: JSON.stringify({ ...cm, data: { stale: 'x' } }) });
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(`Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cm": ${MODIFIED}`);
      expect(k.get(ns, 'cm', 'cm').data).toEqual({ only: 'this' });
    });

    it('scale patches /scale and the deployment keeps everything else', () => {
      const before = k.get(ns, 'deployment', 'web');
      expect(k.ok([...n, 'scale', 'deployment', 'web', '--replicas=5']).trim()).toBe('deployment.apps/web scaled');
      const d = k.get(ns, 'deployment', 'web');
      expect(d.spec.replicas).toBe(5);
      expect(d.spec.template).toEqual(before.spec.template);
      expect(d.metadata.generation).toBe(before.metadata.generation + 1);
      // No fieldManager: the manager is the User-Agent's product, the binary's name.
      expect(managers(d)).toContain(`kubectl.${version}/Update/scale`);
      // --current-replicas is a precondition kubectl checks itself against the Scale it reads.
      expect(k.run([...n, 'scale', 'deployment', 'web', '--current-replicas=2', '--replicas=1']).code).toBe(1);
      expect(k.get(ns, 'deployment', 'web').spec.replicas).toBe(5);
    });

    it('label and annotate merge-patch metadata, overwrite and remove', () => {
      k.ok([...n, 'label', 'deployment', 'web', 'tier=front']);
      expect(k.run([...n, 'label', 'deployment', 'web', 'tier=back']).code).toBe(1);
      k.ok([...n, 'label', 'deployment', 'web', 'tier=back', '--overwrite']);
      k.ok([...n, 'annotate', 'deployment', 'web', 'note=hello']);
      let d = k.get(ns, 'deployment', 'web');
      expect(d.metadata.labels).toEqual({ app: 'web', tier: 'back' });
      expect(d.metadata.annotations.note).toBe('hello');
      expect(managers(d)).toEqual(expect.arrayContaining(['kubectl-label/Update', 'kubectl-annotate/Update']));
      k.ok([...n, 'label', 'deployment', 'web', 'tier-']);
      k.ok([...n, 'annotate', 'deployment', 'web', 'note-']);
      d = k.get(ns, 'deployment', 'web');
      expect(d.metadata.labels).toEqual({ app: 'web' });
      expect(d.metadata.annotations?.note).toBeUndefined();
    });
  });
}

