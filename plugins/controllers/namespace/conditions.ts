/** A NamespaceCondition (core/v1). */
export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What one pass of content deletion found, input of the conditions. */
export interface DeletionOutcome {
  /** Errors of resources whose content could not be listed or deleted (one message each). */
  errors: string[];
  /** Objects still present per resource, keyed `<resource>.<group>` ("configmaps.", "deployments.apps"). */
  remaining: Record<string, number>;
  /** Objects still present per finalizer they carry. */
  finalizers: Record<string, number>;
}

/** The condition types the namespace controller maintains, in upstream's order. */
const MAINTAINED: [type: string, okReason: string, okMessage: string][] = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  ['NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  ['NamespaceDeletionContentFailure', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentRemoved', 'All content successfully removed'],
];

/** The failing conditions an outcome calls for (type → reason and message); the rest are OK. */
function failures(o: DeletionOutcome): Map<string, { reason: string; message: string }> {
  const out = new Map<string, { reason: string; message: string }>();
  if (o.errors.length > 0) {
    const msgs = [...o.errors].sort();
    out.set('NamespaceDeletionContentFailure', {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  const remaining = counted(o.remaining, (k, n) => `${k} has ${n} resource instances`);
  if (remaining.length > 0) {
    out.set('NamespaceContentRemaining', { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` });
  }
  const finalizers = counted(o.finalizers, (k, n) => `${k} in ${n} resource instances`);
  if (finalizers.length > 0) {
    out.set('NamespaceFinalizersRemaining', { reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${finalizers.join(', ')}` });
  }
  return out;
}

function counted(m: Record<string, number>, fmt: (k: string, n: number) => string): string[] {
  return Object.entries(m)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => fmt(k, n))
    .sort();
}

/**
 * The namespace's conditions after a deletion pass, as upstream's condition updater writes them:
 * every maintained type present, True with the failure's reason and message or False with the OK
 * variant; lastTransitionTime moves only when the status flips. Conditions of other types are kept.
 * Returns undefined when nothing changed (no status write needed).
 */
export function deletionConditions(old: NamespaceCondition[], outcome: DeletionOutcome, now: string): NamespaceCondition[] | undefined {
  const failing = failures(outcome);
  const next = old.map((c) => ({ ...c }));
  let changed = false;
  for (const [type, okReason, okMessage] of MAINTAINED) {
    const f = failing.get(type);
    const want = { type, status: f ? ('True' as const) : ('False' as const), reason: f?.reason ?? okReason, message: f?.message ?? okMessage };
    const cur = next.find((c) => c.type === type);
    if (!cur) {
      next.push({ ...want, lastTransitionTime: now });
      changed = true;
    } else if (cur.status !== want.status || cur.reason !== want.reason || cur.message !== want.message) {
      if (cur.status !== want.status) cur.lastTransitionTime = now;
      Object.assign(cur, want);
      changed = true;
    }
  }
  return changed ? next : undefined;
}
