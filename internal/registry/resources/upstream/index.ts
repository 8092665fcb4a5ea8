import { UPSTREAM_RESOURCES } from './data.js';
import type { UpstreamResource } from './types.js';

export type { UpstreamResource, UpstreamColumn } from './types.js';

/** The captured upstream description of one resource; throws for a resource not in the capture. */
export function upstream(group: string, version: string, plural: string): UpstreamResource {
  const r = UPSTREAM_RESOURCES.find((u) => u.group === group && u.version === version && u.plural === plural);
  if (!r) throw new Error(`no upstream data for ${group}/${version} ${plural}`);
  return r;
}

export function allUpstream(): readonly UpstreamResource[] {
  return UPSTREAM_RESOURCES;
}
