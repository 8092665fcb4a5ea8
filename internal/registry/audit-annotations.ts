import { AsyncLocalStorage } from 'node:async_hooks';

// Audit annotations of the request being handled (upstream's admission audit annotations): the
// HTTP layer runs each request's handling inside a scope; admission plugins add to it; the audit
// log writes them on the request's ResponseComplete event.
const scope = new AsyncLocalStorage<Map<string, string>>();

/** Runs fn with `annotations` as the current request's audit annotations. */
export function withAuditAnnotations<T>(annotations: Map<string, string>, fn: () => T): T {
  return scope.run(annotations, fn);
}

/** Adds an audit annotation to the current request (the first value of a key wins); no-op outside a request scope. */
export function addAuditAnnotation(key: string, value: string): void {
  const m = scope.getStore();
  if (m && !m.has(key)) m.set(key, value);
}
