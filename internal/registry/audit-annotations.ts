// Audit annotations of the request being handled (upstream's admission audit annotations): the
// HTTP layer gives each request a map (ApiRequest.auditAnnotations, handed to admission as
// AdmissionAttributes.auditAnnotations); admission plugins add to it; the audit log writes it on
// the request's ResponseComplete event. An explicit map, not an AsyncLocalStorage: one of those
// turns on Node's async hooks for every promise of the process (a CPU cost on every request).

/** Adds an audit annotation (the first value of a key wins); no-op when nobody records them. */
export function addAuditAnnotation(annotations: Map<string, string> | undefined, key: string, value: string): void {
  if (annotations && !annotations.has(key)) annotations.set(key, value);
}
