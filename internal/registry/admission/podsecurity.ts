import type { KubeObject } from '../../api/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission.js';
import { addAuditAnnotation } from '../audit-annotations.js';
import { admissionForbidden, type Loose } from './lookup.js';
import { podSecurityViolations, type Level } from './podsecurity-checks.js';

const LABEL = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

/** Workload kinds whose pod template PodSecurity checks (warn and audit only, as upstream). */
const TEMPLATES: Record<string, (o: Loose) => Loose | undefined> = {
  'apps/deployments': (o) => o.spec?.template,
  'apps/replicasets': (o) => o.spec?.template,
  'apps/statefulsets': (o) => o.spec?.template,
  'apps/daemonsets': (o) => o.spec?.template,
  'batch/jobs': (o) => o.spec?.template,
  'batch/cronjobs': (o) => o.spec?.jobTemplate?.spec?.template,
  '/replicationcontrollers': (o) => o.spec?.template,
  '/podtemplates': (o) => o.template,
};

/**
 * A namespace's policy for one mode: level and version ("latest" when the version label is absent);
 * undefined when it is privileged (nothing to check).
 */
function policy(ns: KubeObject | undefined, mode: 'enforce' | 'warn' | 'audit'): { level: Level; version: string } | undefined {
  const p = modePolicy(ns, mode);
  return p.level === 'privileged' ? undefined : p;
}

/** The level and version of one mode; privileged:latest when unlabelled (upstream's defaults). */
function modePolicy(ns: KubeObject | undefined, mode: 'enforce' | 'warn' | 'audit'): { level: Level; version: string } {
  const labels = ns?.metadata.labels ?? {};
  const level = labels[`${LABEL}${mode}`] as Level | undefined;
  if (!level || !LEVELS.includes(level)) return { level: 'privileged', version: 'latest' };
  return { level, version: labels[`${LABEL}${mode}-version`] || 'latest' };
}

/**
 * PodSecurity: the namespace labels pod-security.kubernetes.io/{enforce,warn,audit} pick a Pod
 * Security Standard (baseline, restricted). A pod violating the enforced level is refused
 * (`violates PodSecurity "restricted:latest": ...`); the warn level adds a Warning header
 * (`would violate PodSecurity ...`), for pods and for workloads' pod templates; the audit level
 * adds the audit annotation `pod-security.kubernetes.io/audit-violations` with the same text to the
 * request's audit event, and a pod's event carries `pod-security.kubernetes.io/enforce-policy`
 * (the enforced `level:version`), as upstream.
 */
export function podSecurity(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    async validate(a: AdmissionAttributes) {
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      if (!a.namespace || !a.object || a.subresource) return;
      const key = `${a.definition.group}/${a.definition.plural}`;
      const isPod = key === '/pods';
      const template = isPod ? undefined : TEMPLATES[key]?.(a.object as Loose);
      if (!isPod && !template) return;
      if (isPod && a.operation === 'UPDATE') return; // upstream re-checks only spec changes, which pods forbid
      const ns = await getNamespace(a.namespace);
      const meta = (isPod ? a.object.metadata : template?.metadata) ?? {};
      const spec = ((isPod ? a.object.spec : template?.spec) ?? {}) as Loose;
      const audit = policy(ns, 'audit');
      if (audit) {
        const v = podSecurityViolations(audit.level, meta, spec);
        if (v.length) addAuditAnnotation(a.auditAnnotations, `${LABEL}audit-violations`, `would violate PodSecurity "${audit.level}:${audit.version}": ${v.join(', ')}`);
      }
      const enforce = modePolicy(ns, 'enforce');
      if (isPod) {
        addAuditAnnotation(a.auditAnnotations, `${LABEL}enforce-policy`, `${enforce.level}:${enforce.version}`);
        const v = podSecurityViolations(enforce.level, meta, spec);
        if (v.length) throw admissionForbidden(a, `violates PodSecurity "${enforce.level}:${enforce.version}": ${v.join(', ')}`);
      }
      const warn = policy(ns, 'warn');
      if (warn) {
        const v = podSecurityViolations(warn.level, meta, spec);
        if (v.length) (a.warnings ??= []).push(`would violate PodSecurity "${warn.level}:${warn.version}": ${v.join(', ')}`);
      }
    },
  };
}
