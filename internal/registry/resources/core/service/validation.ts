import { type FieldError, type KubeObject, fieldErrors } from '../../../../api/index.js';
import { arr, get, isObj, objs, str } from '../../shared/object.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../shared/validation.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
/** spec.trafficDistribution values of 1.33 (PreferSameZone and PreferSameNode are alpha there). */
const TRAFFIC_DISTRIBUTIONS = ['PreferClose'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

const isPort = (p: unknown): boolean => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

/** ServiceSpec validation (upstream ValidateService, the parts users hit). */
export function validateServiceSpec(svc: KubeObject): FieldError[] {
  const spec = isObj(svc.spec) ? svc.spec : {};
  const errs: FieldError[] = [];
  const type = str(spec.type);
  if (!TYPES.includes(type)) errs.push(fieldErrors.notSupported('spec.type', spec.type, TYPES));
  if (!AFFINITIES.includes(str(spec.sessionAffinity))) errs.push(fieldErrors.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  if (spec.trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(str(spec.trafficDistribution))) {
    errs.push(fieldErrors.notSupported('spec.trafficDistribution', spec.trafficDistribution, TRAFFIC_DISTRIBUTIONS));
  }
  const ports = objs(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const name = str(spec.externalName);
    if (!name) errs.push(fieldErrors.required('spec.externalName', ''));
    else for (const m of isDNS1123Subdomain(name.replace(/\.$/, ''))) errs.push(fieldErrors.invalid('spec.externalName', name, m));
  } else if (ports.length === 0 && !headless) {
    errs.push(fieldErrors.required('spec.ports', ''));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = str(p.name);
    if (ports.length > 1 && !name) errs.push(fieldErrors.required(`${at}.name`, ''));
    if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${at}.name`, name, m));
    if (name && names.has(name)) errs.push(fieldErrors.duplicate(`${at}.name`, name));
    names.add(name);
    if (!isPort(p.port)) errs.push(fieldErrors.invalid(`${at}.port`, p.port ?? 0, PORT_RANGE));
    if (!PROTOCOLS.includes(str(p.protocol))) errs.push(fieldErrors.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    const target = p.targetPort;
    if (typeof target === 'string' ? !IANA_SVC_NAME.test(target) : !isPort(target)) {
      errs.push(fieldErrors.invalid(`${at}.targetPort`, target, typeof target === 'string' ? 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' : PORT_RANGE));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0 && type !== 'NodePort' && type !== 'LoadBalancer') {
      errs.push(fieldErrors.forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`));
    }
  });
  if (isObj(spec.selector)) {
    for (const [k, v] of Object.entries(spec.selector)) if (typeof v !== 'string') errs.push(fieldErrors.invalid(`spec.selector[${k}]`, v, 'must be a string'));
  }
  if (type === 'ExternalName' && arr(get(svc, 'spec', 'clusterIPs')).length > 0) {
    errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  }
  return errs;
}
