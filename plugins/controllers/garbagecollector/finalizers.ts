import type { KubeObject } from '../../../internal/api/index.js';

/** Finalizers the API server adds for propagationPolicy Foreground and Orphan. */
export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export const hasFinalizer = (obj: KubeObject, f: string) => (obj.metadata.finalizers ?? []).includes(f);
export const beingDeleted = (obj: KubeObject) => !!obj.metadata.deletionTimestamp;
/** Deleted in the foreground: waits for its blocking dependents to go first. */
export const deletingDependents = (obj: KubeObject) => beingDeleted(obj) && hasFinalizer(obj, FOREGROUND);
/** Deleted with Orphan: waits for its dependents to be released. */
export const orphaningDependents = (obj: KubeObject) => beingDeleted(obj) && hasFinalizer(obj, ORPHAN);
