import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPathSegmentPrefix } from './names.js';

/**
 * Validates an object name. `prefix` is true when checking a generateName prefix, which may end in
 * a dash because random characters follow. Returns problem messages (empty = valid).
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

/**
 * A generateName prefix may end with '-'; upstream hides that by replacing the last two characters
 * with "a" before running the normal rule (apimachinery api/validation maskTrailingDash).
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

/** Most kinds: ConfigMap, Secret, Deployment, Pod, ... (DNS-1123 subdomain, ≤253). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** Namespaces and a few others (DNS-1123 label, ≤63, no dots). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** Services (DNS-1035 label: must start with a letter). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** RBAC roles/bindings and other kinds whose names only need to be a URL path segment. */
export const nameIsPathSegment: NameValidator = (name, prefix) => (prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name));

export const validateNamespaceName: NameValidator = nameIsDNSLabel;

/**
 * Resources whose names follow another rule than the default DNS-1123 subdomain, keyed
 * "<resource>.<group>" ("namespaces" for core). Mirrors the nameFn each upstream strategy passes
 * to ValidateObjectMeta.
 */
const NAME_RULES: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel,
  services: nameIsDNS1035Label,
  'roles.rbac.authorization.k8s.io': nameIsPathSegment,
  'clusterroles.rbac.authorization.k8s.io': nameIsPathSegment,
  'rolebindings.rbac.authorization.k8s.io': nameIsPathSegment,
  'clusterrolebindings.rbac.authorization.k8s.io': nameIsPathSegment,
  'flowschemas.flowcontrol.apiserver.k8s.io': nameIsPathSegment,
  'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io': nameIsPathSegment,
};

/** The name rule for a resource: the table above, else DNS-1123 subdomain (most kinds and CRs). */
export function nameValidatorFor(gr: { group: string; resource: string }): NameValidator {
  return NAME_RULES[gr.group ? `${gr.resource}.${gr.group}` : gr.resource] ?? nameIsDNSSubdomain;
}
