import { type FieldError, fieldErrors } from '../../../api/index.js';
import { get, isObj, num, objs, str, type Obj } from './object.js';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.js';
import { validateLabels, validateAnnotations, isDNS1123Label } from './validation.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

/** PodSpec validation (the commonly hit subset of upstream ValidatePodSpec), field paths as upstream. */
export function validatePodSpec(spec: unknown, field: string): FieldError[] {
  if (!isObj(spec)) return [fieldErrors.required(field, '')];
  const errs: FieldError[] = [];
  const volumes = validateVolumes(spec.volumes, `${field}.volumes`, errs);
  const containers = objs(spec.containers);
  if (containers.length === 0) errs.push(fieldErrors.required(`${field}.containers`, ''));
  const names = new Set<string>();
  for (const key of ['initContainers', 'containers']) {
    objs(spec[key]).forEach((c, i) => {
      validateContainer(c, `${field}.${key}[${i}]`, names, volumes, errs);
      validateContainerPolicies(c, `${field}.${key}[${i}]`, key === 'initContainers', errs);
    });
  }
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(str(spec.restartPolicy))) {
    errs.push(fieldErrors.notSupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(str(spec.dnsPolicy))) {
    errs.push(fieldErrors.notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  if (spec.activeDeadlineSeconds !== undefined && !(num(spec.activeDeadlineSeconds) > 0)) {
    errs.push(fieldErrors.invalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && typeof spec.terminationGracePeriodSeconds !== 'number') {
    errs.push(fieldErrors.invalid(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be an integer'));
  }
  errs.push(...validateLabels(spec.nodeSelector as Record<string, string> | undefined, `${field}.nodeSelector`));
  return errs;
}

/** PodTemplateSpec: labels/annotations of the template plus its spec. */
export function validatePodTemplate(template: unknown, field: string): FieldError[] {
  if (!isObj(template)) return [fieldErrors.required(field, '')];
  const meta = isObj(template.metadata) ? template.metadata : {};
  return [
    ...validateLabels(meta.labels as Record<string, string> | undefined, `${field}.metadata.labels`),
    ...validateAnnotations(meta.annotations as Record<string, string> | undefined, `${field}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${field}.spec`),
  ];
}

function validateVolumes(list: unknown, field: string, errs: FieldError[]): Set<string> {
  const seen = new Set<string>();
  objs(list).forEach((v, i) => {
    const name = str(v.name);
    if (!name) errs.push(fieldErrors.required(`${field}[${i}].name`, ''));
    else for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${field}[${i}].name`, name, m));
    if (seen.has(name)) errs.push(fieldErrors.duplicate(`${field}[${i}].name`, name));
    seen.add(name);
  });
  return seen;
}

function validateContainer(c: Obj, field: string, names: Set<string>, volumes: Set<string>, errs: FieldError[]): void {
  const name = str(c.name);
  if (!name) errs.push(fieldErrors.required(`${field}.name`, ''));
  else for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${field}.name`, name, m));
  if (name && names.has(name)) errs.push(fieldErrors.duplicate(`${field}.name`, name));
  names.add(name);
  if (!str(c.image).trim()) errs.push(fieldErrors.required(`${field}.image`, ''));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(str(c.imagePullPolicy))) {
    errs.push(fieldErrors.notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  if (c.terminationMessagePolicy !== undefined && !MESSAGE_POLICIES.includes(str(c.terminationMessagePolicy))) {
    errs.push(fieldErrors.notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, MESSAGE_POLICIES));
  }
  objs(c.ports).forEach((p, i) => {
    const at = `${field}.ports[${i}]`;
    if (!validPort(p.containerPort)) errs.push(fieldErrors.invalid(`${at}.containerPort`, p.containerPort ?? 0, PORT_RANGE));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !validPort(p.hostPort)) errs.push(fieldErrors.invalid(`${at}.hostPort`, p.hostPort, PORT_RANGE));
    if (p.protocol !== undefined && !PROTOCOLS.includes(str(p.protocol))) errs.push(fieldErrors.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
  objs(c.volumeMounts).forEach((m, i) => {
    const at = `${field}.volumeMounts[${i}]`;
    if (!volumes.has(str(m.name))) errs.push({ type: 'FieldValueNotFound', field: `${at}.name`, value: str(m.name) });
    if (!str(m.mountPath)) errs.push(fieldErrors.required(`${at}.mountPath`, ''));
  });
  objs(c.env).forEach((e, i) => {
    if (!str(e.name)) errs.push(fieldErrors.required(`${field}.env[${i}].name`, ''));
  });
  validateResources(c.resources, `${field}.resources`, errs);
}

const RESIZE_RESOURCES = ['cpu', 'memory'];
const RESIZE_RESTARTS = ['NotRequired', 'RestartContainer'];

/**
 * Sidecars and in-place resize (1.33): an init container with restartPolicy Always is a sidecar
 * that runs beside the app containers; no other container may set restartPolicy. resizePolicy names
 * cpu or memory once each, and is refused on init containers that are not sidecars.
 */
function validateContainerPolicies(c: Obj, field: string, init: boolean, errs: FieldError[]): void {
  const sidecar = init && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined) {
    if (!init) errs.push(fieldErrors.forbidden(`${field}.restartPolicy`, 'may not be set for non-init containers'));
    else if (!sidecar) errs.push(fieldErrors.notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  const policies = objs(c.resizePolicy);
  if (policies.length > 0 && init && !sidecar) {
    errs.push(fieldErrors.forbidden(`${field}.resizePolicy`, 'must not be set for init containers'));
    return;
  }
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    const at = `${field}.resizePolicy[${i}]`;
    const name = str(p.resourceName);
    if (!RESIZE_RESOURCES.includes(name)) errs.push(fieldErrors.notSupported(`${at}.resourceName`, p.resourceName, RESIZE_RESOURCES));
    else if (seen.has(name)) errs.push(fieldErrors.duplicate(`${at}.resourceName`, name));
    seen.add(name);
    if (!RESIZE_RESTARTS.includes(str(p.restartPolicy))) errs.push(fieldErrors.notSupported(`${at}.restartPolicy`, p.restartPolicy, RESIZE_RESTARTS));
  });
}

function validateResources(res: unknown, field: string, errs: FieldError[]): void {
  const limits = get(res, 'limits');
  const requests = get(res, 'requests');
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    if (!isObj(map)) continue;
    for (const [k, v] of Object.entries(map)) {
      const q = parseQuantity(v);
      if (q === undefined) errs.push(fieldErrors.invalid(`${field}.${kind}[${k}]`, v, QUANTITY_FORMAT_ERROR));
      else if (q < 0) errs.push(fieldErrors.invalid(`${field}.${kind}[${k}]`, v, 'must be greater than or equal to 0'));
    }
  }
  if (!isObj(limits) || !isObj(requests)) return;
  for (const [k, v] of Object.entries(requests)) {
    const limit = parseQuantity(limits[k]);
    const request = parseQuantity(v);
    if (limit !== undefined && request !== undefined && request > limit) {
      errs.push(fieldErrors.invalid(`${field}.requests`, v, `must be less than or equal to ${k} limit of ${String(limits[k])}`));
    }
  }
}

function validPort(p: unknown): boolean {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;
}

