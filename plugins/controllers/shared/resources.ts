/** A served resource as discovery describes it (one entry of an APIResourceList). */
export interface ServedResource {
  group: string;
  version: string;
  /** Plural, the URL segment. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/**
 * One entry per group and resource (the first version listed wins: the catalog lists a group's
 * preferred version first) among resources that support every verb in `verbs`. Resources sharing
 * storage under two groups (core and events.k8s.io Events) stay two entries; deleting through both
 * is harmless.
 */
export function resourcesSupporting(served: ServedResource[], verbs: string[]): ServedResource[] {
  const seen = new Set<string>();
  const out: ServedResource[] = [];
  for (const r of served) {
    if (r.resource.includes('/') || !verbs.every((v) => r.verbs.includes(v))) continue;
    const key = `${r.group}/${r.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** "deployments.apps", or "configmaps." for the core group, as upstream's namespace messages print it. */
export function groupResourceKey(r: { group: string; resource: string }): string {
  return `${r.resource}.${r.group}`;
}
