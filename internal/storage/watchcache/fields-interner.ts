/**
 * Shares equal managedFields field sets (fieldsV1) between the objects a shared-object cache holds.
 * Every pod of a ReplicaSet carries the same fieldsV1 for the controller's entry, every bound pod
 * the same for the scheduler's, and most members of any field set are empty objects: decoded
 * separately, these trees were about a quarter of the server's heap with a few thousand pods.
 * Cached objects are frozen and read-only, so holding one frozen tree for all equal ones changes
 * nothing a reader can see. The table keeps the most recently seen `max` trees (by their JSON), so
 * trees no other object shares (a kubelet's, naming its pod's IP) cycle out and its memory is bounded.
 */
export class FieldsInterner {
  private readonly table = new Map<string, object>();

  constructor(private readonly max = 4096) {}

  get size(): number {
    return this.table.size;
  }

  /** Replaces each managedFields entry's fieldsV1 in `obj` (decoded, about to be frozen) by a shared frozen equal tree. */
  intern<T>(obj: T): T {
    const entries = (obj as { metadata?: { managedFields?: unknown } } | null)?.metadata?.managedFields;
    if (!Array.isArray(entries)) return obj;
    for (const e of entries as { fieldsV1?: unknown }[]) {
      const fields = e?.fieldsV1;
      if (typeof fields !== 'object' || fields === null || Object.isFrozen(e)) continue;
      const key = JSON.stringify(fields);
      const held = this.table.get(key);
      if (held) {
        // Most recently used last: shared trees stay while unshared ones cycle out.
        this.table.delete(key);
        this.table.set(key, held);
        e.fieldsV1 = held;
        continue;
      }
      this.table.set(key, shareEmpty(fields as Record<string, unknown>));
      if (this.table.size > this.max) this.table.delete(this.table.keys().next().value!);
    }
    return obj;
  }
}

const EMPTY = Object.freeze({});

/** Freezes a field set, its empty members (the leaves, mostly) replaced by one shared empty object. */
function shareEmpty(set: Record<string, unknown>): object {
  for (const k in set) {
    const v = set[k];
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    let empty = true;
    for (const _ in v) {
      empty = false;
      break;
    }
    set[k] = empty ? EMPTY : shareEmpty(v as Record<string, unknown>);
  }
  return Object.freeze(set);
}
