import type { KubeObject } from '../../../api/index.js';
import { child, get, isObj, objs, setDefault, str, type Obj } from './object.js';

/**
 * Upstream defaulting of PodSpec (k8s.io/kubernetes pkg/apis/core/v1 SetDefaults_*), shared by Pods
 * and every pod template (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ...),
 * so `-o yaml` shows the same fields a real cluster does.
 */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  // v1 conversion mirrors serviceAccountName into the deprecated serviceAccount field.
  if (str(spec.serviceAccountName) && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of objs(spec[key])) defaultContainer(c, hostNetwork);
  }
  for (const v of objs(spec.volumes)) defaultVolume(v);
}

/** PodTemplateSpec: the spec defaults plus the `creationTimestamp: null` every template shows. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  const meta = child(template, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodSpec(child(template, 'spec'));
}

export function defaultPodTemplateAt(obj: KubeObject, ...path: string[]): void {
  const t = get(obj, ...path);
  if (isObj(t)) defaultPodTemplate(t);
}

/** Always for ":latest" or an untagged image, IfNotPresent otherwise (digests included). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  if (at >= 0 && tag === '') return 'IfNotPresent';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(str(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  for (const p of objs(c.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (hostNetwork && p.hostPort === undefined) p.hostPort = p.containerPort;
  }
  for (const e of objs(c.env)) defaultFieldRef(get(e, 'valueFrom', 'fieldRef'));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = c[probe];
    if (!isObj(p)) continue;
    setDefault(p, 'timeoutSeconds', 1);
    setDefault(p, 'periodSeconds', 10);
    setDefault(p, 'successThreshold', 1);
    setDefault(p, 'failureThreshold', 3);
    defaultHttpGet(p.httpGet);
  }
  for (const hook of ['postStart', 'preStop']) defaultHttpGet(get(c, 'lifecycle', hook, 'httpGet'));
}

function defaultHttpGet(h: unknown): void {
  if (!isObj(h)) return;
  setDefault(h, 'path', '/');
  setDefault(h, 'scheme', 'HTTP');
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) setDefault(ref, 'apiVersion', 'v1');
}

const MODE_DEFAULTED = ['secret', 'configMap', 'downwardAPI', 'projected'];

function defaultVolume(v: Obj): void {
  for (const key of MODE_DEFAULTED) if (isObj(v[key])) setDefault(v[key] as Obj, 'defaultMode', 420);
  if (isObj(v.hostPath)) setDefault(v.hostPath, 'type', '');
  for (const item of objs(get(v, 'downwardAPI', 'items'))) defaultFieldRef(item.fieldRef);
  for (const source of objs(get(v, 'projected', 'sources'))) {
    if (isObj(source.serviceAccountToken)) setDefault(source.serviceAccountToken, 'expirationSeconds', 3600);
    for (const item of objs(get(source, 'downwardAPI', 'items'))) defaultFieldRef(item.fieldRef);
  }
  // A volume naming no source is an emptyDir (SetDefaults_Volume).
  if (Object.keys(v).length === 1 && 'name' in v) v.emptyDir = {};
}
