import { describe, expect, it } from 'vitest';
import { waitFor } from './ha-harness.js';
import { hasBinary, kubectl, useKplane } from './harness.js';

// What the 1.33 API adds that users hit first: manifests using each field apply with kubectl 1.33
// and --validate=strict, read back unchanged, and `kubectl explain` documents the fields.
const VERSION = '1.33';
const server = useKplane();
const k = (args: string[], input?: string) => kubectl(server().kubeconfig, args, { version: VERSION, input });
const NS = 'api133';

const container = { name: 'app', image: 'nginx:1.27', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'RestartContainer' }] };
const sidecar = { name: 'proxy', image: 'envoyproxy/envoy:v1.33', restartPolicy: 'Always' };
const podSpec = (restartPolicy?: string) => ({ ...(restartPolicy ? { restartPolicy } : {}), initContainers: [sidecar], containers: [container] });
const labels = { app: 'web' };

/** Each object and the paths of it that must read back exactly as applied. */
const CASES: { obj: Record<string, unknown>; paths: string[][] }[] = [
  {
    obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec() } } },
    paths: [['spec', 'template', 'spec', 'initContainers', '0', 'restartPolicy'], ['spec', 'template', 'spec', 'containers', '0', 'resizePolicy']],
  },
  {
    obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: labels, ports: [{ port: 80 }], trafficDistribution: 'PreferClose' } },
    paths: [['spec', 'trafficDistribution']],
  },
  {
    obj: {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'indexed', namespace: NS },
      spec: {
        completions: 3, parallelism: 3, completionMode: 'Indexed', podReplacementPolicy: 'Failed', managedBy: 'example.com/batch-controller',
        successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 1 }] },
        template: { spec: podSpec('Never') },
      },
    },
    paths: [['spec', 'successPolicy'], ['spec', 'podReplacementPolicy'], ['spec', 'managedBy'], ['spec', 'template', 'spec', 'initContainers', '0', 'restartPolicy']],
  },
  {
    obj: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: NS }, spec: { schedule: '0 3 * * *', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template: { spec: podSpec('OnFailure') } } } } },
    paths: [['spec', 'timeZone']],
  },
  {
    obj: {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS },
      spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' }, template: { metadata: { labels: { app: 'db' } }, spec: podSpec() } },
    },
    paths: [['spec', 'persistentVolumeClaimRetentionPolicy']],
  },
  {
    obj: {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'max-replicas' },
      spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: '*' }] }, validations: [{ expression: 'object.spec.replicas <= 5', message: 'at most 5 replicas' }] },
    },
    paths: [['spec', 'validations'], ['spec', 'matchConstraints', 'resourceRules']],
  },
  {
    obj: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'max-replicas' }, spec: { policyName: 'max-replicas', validationActions: ['Deny'] } },
    paths: [['spec', 'policyName'], ['spec', 'validationActions']],
  },
  {
    obj: { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs: ['10.100.0.0/16'] } },
    paths: [['spec', 'cidrs']],
  },
];

const at = (o: unknown, path: string[]): unknown => path.reduce<unknown>((x, p) => (x as Record<string, unknown> | undefined)?.[p], o);

describe.skipIf(!hasBinary(`kubectl.${VERSION}`))(`the 1.33 API with kubectl ${VERSION}`, () => {
  it('reports a 1.33 server without a skew warning', () => {
    const r = k(['version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Server Version: v1\.33\.\d+\+kplane/m);
    expect(r.stderr).not.toMatch(/version difference/);
  });

  it('applies manifests with each new field under --validate=strict and reads them back unchanged', () => {
    expect(k(['create', 'namespace', NS]).code).toBe(0);
    const manifest = CASES.map((c) => JSON.stringify(c.obj)).join('\n---\n');
    const r = k(['apply', '--validate=strict', '-f', '-'], manifest);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const { obj, paths } of CASES) {
      const meta = obj.metadata as { name: string; namespace?: string };
      const ref = `${String(obj.kind).toLowerCase()}.${String(obj.apiVersion).split('/').slice(0, -1).join('/') || 'v1'}/${meta.name}`.replace('.v1/', '/');
      const got = k(['get', ...(meta.namespace ? ['-n', meta.namespace] : []), ref, '-o', 'json']);
      expect(got.code, `${ref}: ${got.stderr}`).toBe(0);
      const live = JSON.parse(got.stdout);
      for (const p of paths) expect(at(live, p), `${ref} ${p.join('.')}`).toEqual(at(obj, p));
    }
    // And as YAML, the form users read.
    const yaml = k(['get', '-n', NS, 'service', 'web', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^ {2}trafficDistribution: PreferClose$/m);
  });

  it('refuses a field 1.33 does not have under --validate=strict', () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: NS }, data: { a: '1' }, spec: { nope: true } };
    const r = k(['apply', '--validate=strict', '-f', '-'], JSON.stringify(bad));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown field "spec"/);
  });

  it('kubectl explain documents the new fields', () => {
    const fields: [string, RegExp][] = [
      ['pods.spec.initContainers.restartPolicy', /Always/],
      ['pods.spec.containers.resizePolicy', /ContainerResizePolicy/],
      ['services.spec.trafficDistribution', /PreferClose/],
      ['jobs.spec.successPolicy', /SuccessPolicy/],
      ['jobs.spec.podReplacementPolicy', /TerminatingOrFailed/],
      ['jobs.spec.managedBy', /job-controller/],
      ['cronjobs.spec.timeZone', /time zone/i],
      ['statefulsets.spec.persistentVolumeClaimRetentionPolicy', /whenDeleted/],
      ['validatingadmissionpolicies.spec.validations', /expression/],
      ['servicecidrs.spec.cidrs', /CIDR/],
    ];
    for (const [field, doc] of fields) {
      const r = k(['explain', field]);
      expect(r.code, `${field}: ${r.stderr}`).toBe(0);
      expect(r.stdout, field).toMatch(doc);
    }
  });

  it('lists the new resources with upstream columns', () => {
    const vap = k(['get', 'validatingadmissionpolicies']);
    expect(vap.stdout).toMatch(/^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE$/m);
    expect(vap.stdout).toMatch(/^max-replicas\s+1\s+<unset>\s+\d+s$/m);
    const cidrs = k(['get', 'servicecidrs']);
    expect(cidrs.stdout).toMatch(/^NAME\s+CIDRS\s+AGE$/m);
    expect(cidrs.stdout).toMatch(/^extra\s+10\.100\.0\.0\/16\s+\d+s$/m);
  });

  it('keeps ServiceCIDRs Ready with their finalizer; a Service may take an address of another ServiceCIDR; one in use is held on delete', async () => {
    const jp = (name: string) => k(['get', 'servicecidr', name, '-o', 'jsonpath={.spec.cidrs[0]} {.status.conditions[0].type}={.status.conditions[0].status} {.metadata.finalizers[0]}']).stdout;
    await waitFor('the default ServiceCIDR Ready with its finalizer', 20_000, async () => (jp('kubernetes') === '10.96.0.0/12 Ready=True networking.k8s.io/service-cidr-finalizer' ? true : undefined), 500);
    expect(k(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: {name: beyond}\nspec: {cidrs: [10.200.0.0/24]}\n').code).toBe(0);
    await waitFor('the servicecidrs controller to make "beyond" Ready', 20_000, async () => (jp('beyond') === '10.200.0.0/24 Ready=True networking.k8s.io/service-cidr-finalizer' ? true : undefined), 500);
    const made = k(['create', 'service', 'clusterip', 'beyond', '-n', NS, '--tcp=80', '--clusterip=10.200.0.5']);
    expect(made.stderr).toBe('');
    expect(k(['get', 'ipaddress', '10.200.0.5', '-o', 'jsonpath={.spec.parentRef.name}']).stdout).toBe('beyond');
    const outside = k(['create', 'service', 'clusterip', 'outside', '-n', NS, '--tcp=80', '--clusterip=10.201.0.5']);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/not in the valid range.*10\.96\.0\.0\/12,.*10\.200\.0\.0\/24/);
    expect(k(['delete', 'servicecidr', 'beyond', '--wait=false']).code).toBe(0);
    await waitFor('"beyond" held Terminating while 10.200.0.5 is in use', 20_000, async () => (k(['get', 'servicecidr', 'beyond', '-o', 'jsonpath={.status.conditions[0].type}={.status.conditions[0].status} {.status.conditions[0].reason}']).stdout === 'Ready=False Terminating' ? true : undefined), 500);
    expect(k(['delete', 'service', 'beyond', '-n', NS]).code).toBe(0);
    await waitFor('"beyond" gone once its address is freed', 20_000, async () => (k(['get', 'servicecidr', 'beyond']).code !== 0 ? true : undefined), 500);
  }, 90_000);

  it('prints the columns 1.33 added to resources that existed in 1.26 (Job STATUS, CronJob TIMEZONE)', () => {
    const jobs = k(['get', 'jobs', '-n', NS]);
    expect(jobs.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    expect(jobs.stdout).toMatch(/^indexed\s+(Running|Complete|Failed|FailureTarget)\s+\d+\/\d+/m);
    const cronjobs = k(['get', 'cronjobs', '-n', NS]);
    expect(cronjobs.stdout).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/m);
    expect(cronjobs.stdout).toMatch(/^nightly\s+0 3 \* \* \*\s+Europe\/Berlin\s+False\s+0\s+<none>\s+\d+s$/m);
  });
});
