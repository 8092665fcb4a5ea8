import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBinary, kubectl, kubectlBinary, useKplane } from './harness.js';

// Everyday kubectl against the built binary on its embedded default (sqlite), with kubectl 1.32
// (protobuf request bodies) and 1.27 (JSON bodies). Named explicitly: the `kubectl` on PATH is a
// dispatcher that picks the version matching the server. KPLANE_E2E_KUBECTL="1.33,1.32,1.27" runs
// other versions (CI keeps two for time).
const VERSIONS = (process.env.KPLANE_E2E_KUBECTL ?? '1.32,1.27').split(',').filter((v) => hasBinary(`kubectl.${v}`));

const server = useKplane();

for (const version of VERSIONS) {
  const label = version;
  const k = (args: string[], input?: string) => kubectl(server().kubeconfig, args, { version, input });
  const ns = `e2e-${(version ?? '132').replace('.', '')}`;

  describe(`kubectl ${label}`, () => {
    it('version shows client and server', () => {
      const r = k(['version']);
      expect(r.code, r.stderr).toBe(0);
      // 1.27 prints the old version.Info{...} form, later ones the short form.
      expect(r.stdout).toMatch(/Server Version: (v1\.33\.\d+\+kplane|version\.Info\{.*GitVersion:"v1\.33\.\d+\+kplane)/);
      // Within one minor version of 1.33 kubectl has no skew to warn about.
      if (Number(version.split('.')[1]) >= 32) expect(r.stderr).not.toMatch(/version difference/);
    });

    it('get cs reports the scheduler, the controller manager and the datastore, with upstream\'s deprecation warning', async () => {
      // The scheduler and controller plugins take their Leases within seconds of the server's start.
      let r = k(['get', 'cs']);
      for (let i = 0; i < 30 && !/^controller-manager\s+Healthy/m.test(r.stdout); i++) {
        await new Promise((res) => setTimeout(res, 1000));
        r = k(['get', 'cs']);
      }
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Warning: v1 ComponentStatus is deprecated in v1.19+');
      expect(r.stdout).toMatch(/^NAME\s+STATUS\s+MESSAGE\s+ERROR$/m);
      expect(r.stdout).toMatch(/^scheduler\s+Healthy\s+ok\s*$/m);
      expect(r.stdout).toMatch(/^controller-manager\s+Healthy\s+ok\s*$/m);
      expect(r.stdout).toMatch(/^etcd-0\s+Healthy\s+\{"health":"true","reason":""\}\s*$/m);
      const one = k(['get', 'componentstatus', 'etcd-0', '-o', 'jsonpath={.conditions[0].status}']);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toBe('True');
      const missing = k(['get', 'cs', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Error from server (NotFound): componentstatuses "nope" not found');
    });

    it('v1 Endpoints and a deprecated CRD version warn on every request as upstream', () => {
      const group = `dep${version.replace('.', '')}.example.com`;
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets.${group}` },
        spec: {
          group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: ['v1alpha1', 'v1'].map((name) => ({ name, served: true, storage: name === 'v1', deprecated: name === 'v1alpha1', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } })),
        },
      };
      const c = k(['apply', '-f', '-'], JSON.stringify(crd));
      expect(c.code, c.stderr).toBe(0);
      const w = k(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=30s']);
      expect(w.code, w.stderr).toBe(0);
      const old = k(['get', `widgets.v1alpha1.${group}`]);
      expect(old.code, old.stderr).toBe(0);
      expect(old.stderr).toContain(`Warning: ${group}/v1alpha1 Widget is deprecated; use ${group}/v1 Widget`);
      const current = k(['get', `widgets.v1.${group}`]);
      expect(current.code, current.stderr).toBe(0);
      expect(current.stderr).not.toContain('deprecated');
      const ep = k(['get', 'endpoints', '-n', 'default']);
      expect(ep.code, ep.stderr).toBe(0);
      expect(ep.stderr).toContain('Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice');
      expect(k(['delete', 'crd', `widgets.${group}`]).code).toBe(0);
    });

    it('a CSR for a new user is signed once approved, and its certificate logs that user in', async () => {
      // The "normal user" flow of upstream's docs: openssl key and request, approve, use the certificate.
      const dir = mkdtempSync(join(tmpdir(), 'kplane-csr-'));
      const user = `csr-user-${version.replace('.', '')}`;
      const made = spawnSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'u.key'), '-subj', `/O=dev/CN=${user}`, '-out', join(dir, 'u.csr')], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      const csr = (name: string, usages: string[]) => JSON.stringify({
        apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
        spec: { request: readFileSync(join(dir, 'u.csr')).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 86400, usages },
      });
      expect(k(['create', '-f', '-'], csr(user, ['client auth'])).code).toBe(0);
      expect(k(['create', '-f', '-'], csr(`${user}-bad`, ['client auth', 'server auth'])).code).toBe(0);
      const approve = k(['certificate', 'approve', user, `${user}-bad`]);
      expect(approve.code, approve.stderr).toBe(0);
      let cert = '';
      for (let i = 0; i < 60 && !cert; i++) {
        cert = k(['get', 'csr', user, '-o', 'jsonpath={.status.certificate}']).stdout;
        if (!cert) await new Promise((r) => setTimeout(r, 500));
      }
      expect(cert).not.toBe('');
      let listed = k(['get', 'csr']).stdout;
      for (let i = 0; i < 60 && !new RegExp(`^${user}-bad\\s.*Approved,Failed`, 'm').test(listed); i++) {
        await new Promise((r) => setTimeout(r, 500));
        listed = k(['get', 'csr']).stdout;
      }
      expect(listed).toMatch(new RegExp(`^${user}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client\\s+\\S+\\s+24h\\s+Approved,Issued$`, 'm'));
      expect(listed).toMatch(new RegExp(`^${user}-bad\\s.*Approved,Failed$`, 'm'));
      const failed = k(['get', 'csr', `${user}-bad`, '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].message}']);
      expect(failed.stdout).toBe('invalid usage for client certificate: server auth');
      writeFileSync(join(dir, 'u.crt'), Buffer.from(cert, 'base64'));
      const ca = /certificate-authority-data: (\S+)/.exec(readFileSync(server().kubeconfig, 'utf8'))![1];
      const kc = join(dir, 'user.kubeconfig');
      writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server().url}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {client-certificate: u.crt, client-key: u.key}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
      const who = kubectl(kc, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}/{.status.userInfo.groups}'], { version });
      expect(who.code, who.stderr).toBe(0);
      expect(who.stdout).toBe(`${user}/["dev","system:authenticated"]`);
      const denied = kubectl(kc, ['get', 'pods', '-n', 'default'], { version });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain(`User "${user}" cannot list resource "pods" in API group "" in the namespace "default"`);
    });

    it('a PersistentVolumeClaim binds to a matching PersistentVolume; deleting it releases the volume', async () => {
      const v = version.replace('.', '');
      const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `disk-${v}` }, spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/disk-${v}` }, storageClassName: `manual-${v}` } };
      const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-${v}`, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: `manual-${v}` } };
      const a = k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pv, pvc] }));
      expect(a.code, a.stderr).toBe(0);
      const w = k(['wait', '-n', 'default', '--for=jsonpath={.status.phase}=Bound', `pvc/data-${v}`, '--timeout=30s']);
      expect(w.code, w.stderr).toBe(0);
      const claims = k(['get', 'pvc', '-n', 'default', `data-${v}`]);
      expect(claims.stdout).toMatch(new RegExp(`^data-${v}\\s+Bound\\s+disk-${v}\\s+2Gi\\s+RWO\\s+manual-${v}\\s`, 'm'));
      const vols = k(['get', 'pv', `disk-${v}`]);
      expect(vols.stdout).toMatch(new RegExp(`^disk-${v}\\s+2Gi\\s+RWO\\s+Retain\\s+Bound\\s+default/data-${v}\\s+manual-${v}\\s`, 'm'));
      expect(k(['delete', 'pvc', '-n', 'default', `data-${v}`]).code).toBe(0);
      const r = k(['wait', '--for=jsonpath={.status.phase}=Released', `pv/disk-${v}`, '--timeout=30s']);
      expect(r.code, r.stderr).toBe(0);
      expect(k(['delete', 'pv', `disk-${v}`]).code).toBe(0);
    });

    it('the two system PriorityClasses exist from the start, as kube-apiserver creates them', () => {
      const r = k(['get', 'priorityclasses']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^system-cluster-critical\s+2000000000\s+false\s/m);
      expect(r.stdout).toMatch(/^system-node-critical\s+2000001000\s+false\s/m);
    });

    it('api-resources and api-versions list the served API', () => {
      const r = k(['api-resources']);
      expect(r.code, r.stderr).toBe(0);
      for (const line of [/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false\s+CustomResourceDefinition$/m]) {
        expect(r.stdout).toMatch(line);
      }
      const v = k(['api-versions']);
      expect(v.code, v.stderr).toBe(0);
      expect(v.stdout.split('\n')).toEqual(expect.arrayContaining(['v1', 'apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'apiextensions.k8s.io/v1']));
    });

    it('creates, lists and refuses a duplicate namespace', () => {
      const c = k(['create', 'namespace', ns]);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout.trim()).toBe(`namespace/${ns} created`);
      const dup = k(['create', 'namespace', ns]);
      expect(dup.code).toBe(1);
      expect(dup.stderr.trim()).toBe(`Error from server (AlreadyExists): namespaces "${ns}" already exists`);
      const get = k(['get', 'ns']);
      expect(get.stdout).toMatch(new RegExp(`^${ns}\\s+Active\\s+\\d+s$`, 'm'));
      expect(get.stdout).toMatch(/^NAME\s+STATUS\s+AGE$/m);
    });

    it('creates configmap, secret, deployment, service and job with the generators', () => {
      const cmds: [string[], string][] = [
        [['create', 'configmap', 'cm1', '--from-literal=a=1', '--from-literal=b=2'], 'configmap/cm1 created'],
        [['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2'], 'secret/s1 created'],
        [['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3'], 'deployment.apps/web created'],
        [['create', 'service', 'clusterip', 'web', '--tcp=80:8080'], 'service/web created'],
        [['create', 'job', 'once', '--image=busybox'], 'job.batch/once created'],
      ];
      for (const [args, want] of cmds) {
        const r = k(['-n', ns, ...args]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.stdout.trim()).toBe(want);
      }
      const secret = JSON.parse(k(['-n', ns, 'get', 'secret', 's1', '-o', 'json']).stdout);
      expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('hunter2');
      expect(secret.type).toBe('Opaque');
      const svc = JSON.parse(k(['-n', ns, 'get', 'svc', 'web', '-o', 'json']).stdout);
      expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
      expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: 'TCP' });
    });

    it('prints -o yaml, json, jsonpath, name, wide and custom-columns', () => {
      const yaml = k(['-n', ns, 'get', 'deploy', 'web', '-o', 'yaml']);
      expect(yaml.stdout).toMatch(/^kind: Deployment$/m);
      expect(yaml.stdout).toMatch(/^\s+replicas: 3$/m);
      expect(yaml.stdout).toMatch(/^\s+restartPolicy: Always$/m);
      expect(yaml.stdout).toMatch(/^\s+imagePullPolicy: IfNotPresent$/m);
      const json = JSON.parse(k(['-n', ns, 'get', 'cm', 'cm1', '-o', 'json']).stdout);
      expect(json.data).toEqual({ a: '1', b: '2' });
      expect(k(['-n', ns, 'get', 'cm', 'cm1', '-o', 'jsonpath={.data.b}']).stdout).toBe('2');
      expect(k(['-n', ns, 'get', 'deploy', '-o', 'name']).stdout.trim()).toBe('deployment.apps/web');
      const wide = k(['-n', ns, 'get', 'deploy', '-o', 'wide']);
      expect(wide.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
      // UP-TO-DATE is 0 until the deployment controller made its ReplicaSet, 3 after; with no nodes
      // here, no pod becomes ready or available.
      expect(wide.stdout).toMatch(/^web\s+0\/3\s+(0|3)\s+0\s+\S+\s+nginx\s+nginx:1.27\s+app=web$/m);
      const cc = k(['-n', ns, 'get', 'cm', '-o', 'custom-columns=N:.metadata.name,A:.data.a']);
      expect(cc.stdout).toMatch(/^cm1\s+1$/m);
    });

    it('sorts with --sort-by and filters with -l and --field-selector', () => {
      for (const [n, tier] of [['zz', 'back'], ['aa', 'front'], ['mm', 'front']]) {
        expect(k(['-n', ns, 'create', 'cm', n!]).code).toBe(0);
        expect(k(['-n', ns, 'label', 'cm', n!, `tier=${tier}`]).code).toBe(0);
      }
      const sorted = k(['-n', ns, 'get', 'cm', '-l', 'tier', '--sort-by=.metadata.name', '-o', 'name']);
      expect(sorted.code, sorted.stderr).toBe(0);
      expect(sorted.stdout.trim().split('\n')).toEqual(['configmap/aa', 'configmap/mm', 'configmap/zz']);
      expect(k(['-n', ns, 'get', 'cm', '-l', 'tier in (front),tier!=back', '-o', 'name']).stdout.trim().split('\n')).toEqual(['configmap/aa', 'configmap/mm']);
      expect(k(['-n', ns, 'get', 'cm', '--field-selector', 'metadata.name!=aa', '-l', 'tier', '-o', 'name']).stdout.trim().split('\n')).toEqual(['configmap/mm', 'configmap/zz']);
      const bad = k(['-n', ns, 'get', 'cm', '--field-selector', 'data.a=1']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('"data.a" is not a known field selector');
    });

    it('reports NotFound and Invalid like upstream', () => {
      const nf = k(['-n', ns, 'get', 'cm', 'nope']);
      expect(nf.code).toBe(1);
      expect(nf.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
      const nfd = k(['-n', ns, 'get', 'deploy', 'nope']);
      expect(nfd.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "nope" not found');
      const inv = k(['-n', ns, 'create', 'cm', 'Bad_Name']);
      expect(inv.code).toBe(1);
      expect(inv.stderr).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    });

    it('get -w sees a concurrent change', async () => {
      const { spawn } = await import('node:child_process');
      const { dirname, join } = await import('node:path');
      const bin = kubectlBinary(version);
      const w = spawn(bin, ['--kubeconfig', server().kubeconfig, '-n', ns, 'get', 'cm', '-w', '--request-timeout=20s'], { env: { ...process.env, HOME: join(dirname(server().kubeconfig), 'home') } });
      let out = '';
      w.stdout.on('data', (c) => (out += c));
      const until = async (re: RegExp) => {
        for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
        return re.test(out);
      };
      expect(await until(/^cm1\s+2\s+/m)).toBe(true);
      expect(k(['-n', ns, 'create', 'cm', 'watched', '--from-literal=x=y']).code).toBe(0);
      const seen = await until(/^watched\s+1\s+/m);
      w.kill();
      expect(seen, out).toBe(true);
    });

    it('deletes with the default wait', () => {
      const r = k(['-n', ns, 'delete', 'cm', 'watched']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('configmap "watched" deleted');
      expect(k(['-n', ns, 'get', 'cm', 'watched']).code).toBe(1);
      const d = k(['-n', ns, 'delete', 'deployment', 'web']);
      expect(d.code, d.stderr).toBe(0);
    });

    it('serves a CRD and its custom resources with printer columns', async () => {
      const group = `e2e${(version ?? '132').replace('.', '')}.example.com`;
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
              schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } }, status: { type: 'object', x_placeholder: undefined } } } },
            },
          ],
        },
      };
      const c = k(['create', '-f', '-'], JSON.stringify(crd));
      expect(c.code, c.stderr).toBe(0);
      expect(k(['wait', '--for=condition=established', `crd/widgets.${group}`, '--timeout=20s']).code).toBe(0);
      const w = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1', namespace: ns }, spec: { size: 3 } };
      const cw = k(['create', '-f', '-'], JSON.stringify(w));
      expect(cw.code, cw.stderr).toBe(0);
      const get = k(['-n', ns, 'get', 'wd']);
      expect(get.code, get.stderr).toBe(0);
      expect(get.stdout).toMatch(/^NAME\s+SIZE$/m);
      expect(get.stdout).toMatch(/^w1\s+3$/m);
      const bad = k(['create', '-f', '-'], JSON.stringify({ ...w, metadata: { name: 'w2', namespace: ns }, spec: { size: 0 } }));
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('Invalid value: 0: spec.size in body should be greater than or equal to 1');
      expect(k(['delete', 'crd', `widgets.${group}`]).code).toBe(0);
    });

    it('deletes the namespace it made', () => {
      const r = k(['delete', 'ns', ns, '--wait=false']);
      expect(r.code, r.stderr).toBe(0);
    });
  });
}
