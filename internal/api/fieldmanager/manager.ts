import { ApiError } from '../errors.js';
import type { Schema } from '../openapi/index.js';
import type { KubeObject, ManagedFieldsEntry } from '../types.js';
import { FieldSet, pathString } from './fieldset.js';
import { jsonEqual } from '../../util/index.js';
import { equalFields, fieldsOf, mergeApplied, removeAt } from './walk.js';

type Obj = Record<string, unknown>;

interface Owner {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

/**
 * An owner of a non-apply write: its FieldSet is parsed only when the write takes a field from it
 * (most writes touch one or two owners), and an owner left alone keeps its stored entry as it is.
 */
class LazyOwner implements Owner {
  private parsed: FieldSet | undefined;
  /** Whether set was read (or replaced): then the entry is rendered anew. */
  touched = false;

  constructor(public entry: ManagedFieldsEntry) {}

  get set(): FieldSet {
    this.touched = true;
    return (this.parsed ??= parseOwner(this.entry));
  }

  set set(v: FieldSet) {
    this.touched = true;
    this.parsed = v;
  }

  /** Removes path from the set when the stored entry has a node there (nothing to parse otherwise). */
  remove(path: string[]): void {
    if (this.parsed || reaches(this.entry.fieldsV1, path)) this.set.remove(path);
  }

  /** The entry to store: the same object when nothing changed (rendering it again gives the same). */
  serialized(): ManagedFieldsEntry | undefined {
    if (!this.touched && this.entry.fieldsType === 'FieldsV1') return this.entry;
    const fieldsV1 = this.set.render(); // undefined: an empty set, whose entry goes away
    return fieldsV1 ? { ...this.entry, fieldsType: 'FieldsV1', fieldsV1 } : undefined;
  }
}

/** Whether a stored fieldsV1 tree has a node at path (FieldsV1 keys are the path elements). */
function reaches(fieldsV1: unknown, path: string[]): boolean {
  let n = fieldsV1;
  for (const el of path) {
    if (!n || typeof n !== 'object') return false;
    n = (n as Record<string, unknown>)[el];
    if (n === undefined) return false;
  }
  return true;
}

function parseOwner(entry: ManagedFieldsEntry): FieldSet {
  try {
    return FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
  } catch {
    throw new ApiError('BadRequest', `metadata.managedFields: invalid fieldsV1 for manager "${entry.manager}"`);
  }
}

export interface WriteContext {
  manager: string;
  apiVersion: string;
  /** RFC 3339 time of the write. */
  time: string;
  subresource?: string;
  schema: Schema | undefined;
}

function owners(obj: KubeObject | undefined): Owner[] {
  return (obj?.metadata.managedFields ?? []).map((entry) => ({ entry, set: parseOwner(entry) }));
}

function sameSlot(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', ctx: WriteContext): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (ctx.subresource ?? '') && (operation === 'Apply' || e.apiVersion === ctx.apiVersion);
}

function serialize(list: Owner[]): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const o of list) {
    const fieldsV1 = o.set.render(); // undefined: an empty set, whose entry goes away
    if (fieldsV1) out.push({ ...o.entry, fieldsType: 'FieldsV1', fieldsV1 });
  }
  return out;
}

function upsert<O extends Owner>(list: O[], operation: 'Apply' | 'Update', ctx: WriteContext, make: (entry: ManagedFieldsEntry) => O): O {
  let mine = list.find((o) => sameSlot(o.entry, ctx.manager, operation, ctx));
  if (!mine) {
    mine = make({ manager: ctx.manager, operation, apiVersion: ctx.apiVersion, time: ctx.time, fieldsType: 'FieldsV1', ...(ctx.subresource ? { subresource: ctx.subresource } : {}) });
    mine.set = new FieldSet();
    list.push(mine);
  }
  mine.entry = { ...mine.entry, apiVersion: ctx.apiVersion, time: ctx.time };
  return mine;
}

const eager = (entry: ManagedFieldsEntry): Owner => ({ entry, set: new FieldSet() });
const lazy = (entry: ManagedFieldsEntry): LazyOwner => new LazyOwner(entry);

/**
 * Records a non-apply write (create, update, patch): the writer takes ownership of every field it
 * set or changed, other managers lose those fields, and removed fields leave every set. When the
 * request itself carries managedFields that differ from the stored ones (kubectl's CSA→SSA
 * migration rewrites them with a JSON patch), those are taken as the starting point.
 */
export function trackUpdate(old: KubeObject | undefined, next: KubeObject, ctx: WriteContext): KubeObject {
  // null is "not sent" (as Go decodes it): keep the stored entries; [] resets them.
  const incoming = next.metadata.managedFields ?? undefined;
  const base = incoming !== undefined && !jsonEqual(incoming, old?.metadata.managedFields) ? next : old;
  const list = (base?.metadata.managedFields ?? []).map(lazy);
  // Entries the request brought are parsed (checked) and rendered anew, as a whole.
  if (base === next) for (const o of list) void o.set;
  if (!old && list.length === 0) {
    // A create with no prior owners: the writer owns every field it set, which is the object's
    // own field set without the nodes no member hangs from (adding each path builds exactly that).
    const after = fieldsOf(next, ctx.schema);
    if (!after.isEmpty) upsert(list, 'Update', ctx, lazy).set = after.prune();
    return withManaged(next, serializeLazy(list));
  }
  // Fields equal in both have no changed or removed path below them: neither walk visits them, down
  // to a few levels of objects (a status write leaves spec alone; a binding sets spec.nodeName and
  // leaves the containers, volumes and tolerations beside it alone).
  const skip = old ? equalFields(old, next, 4) : undefined;
  const after = fieldsOf(next, ctx.schema, skip);
  const before = fieldsOf(old, ctx.schema, skip);
  // Same order as walking after's paths and then before's: ownership edits below apply in it.
  const changed: string[][] = [];
  const removed: string[][] = [];
  changedPaths(after, before, [], changed);
  removedPaths(before, after, [], removed);
  if (!changed.length && !removed.length) return withManaged(next, serializeLazy(list));
  const mine = upsert(list, 'Update', ctx, lazy);
  for (const o of list) {
    if (o !== mine) for (const path of changed) o.remove(path);
    for (const path of removed) o.remove(path);
  }
  for (const path of changed) mine.set.add(path);
  return withManaged(next, serializeLazy(list));
}

function serializeLazy(list: LazyOwner[]): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const o of list) {
    const e = o.serialized();
    if (e) out.push(e);
  }
  return out;
}

/** Member paths of `after` (depth first) that `before` lacks, or whose leaf value differs. */
function changedPaths(after: FieldSet, before: FieldSet | undefined, prefix: string[], out: string[][]): void {
  for (const [k, a] of after.children) {
    prefix.push(k);
    const b = before?.children.get(k);
    if (a.member && (!b?.member || (a.children.size === 0 && !sameJson(a.value, b.value)))) out.push(prefix.slice());
    changedPaths(a, b, prefix, out);
    prefix.pop();
  }
}

/** Member paths of `before` (depth first) that are not members of `after`. */
function removedPaths(before: FieldSet, after: FieldSet | undefined, prefix: string[], out: string[][]): void {
  for (const [k, b] of before.children) {
    prefix.push(k);
    const a = after?.children.get(k);
    if (b.member && !a?.member) out.push(prefix.slice());
    removedPaths(b, a, prefix, out);
    prefix.pop();
  }
}

export interface ApplyInput extends WriteContext {
  live: KubeObject | undefined;
  config: KubeObject;
  force: boolean;
  /**
   * Fields whose conflicts are resolved as if forced (see lastAppliedFields): when every conflict
   * is in this set the apply takes those fields over; otherwise only the others are reported.
   */
  allowedConflicts?: FieldSet;
}

/**
 * Server-side apply: merges `config` into `live`, records `manager` as the owner of exactly the
 * fields in `config`, removes fields the manager applied before but no longer applies (unless
 * another manager owns them), and refuses (409 Conflict, FieldManagerConflict causes) to change a
 * value another manager owns unless `force` is set, in which case it takes ownership.
 */
export function applyConfig(input: ApplyInput): KubeObject {
  const { live, config, schema } = input;
  const list = owners(live);
  const applied = fieldsOf(config, schema);
  let merged = mergeApplied(live ?? {}, config, schema) as KubeObject;
  const liveFields = fieldsOf(live, schema);
  const mergedFields = fieldsOf(merged, schema);
  const conflicts: Conflict[] = [];
  for (const o of list) {
    if (sameSlot(o.entry, input.manager, 'Apply', input)) continue;
    for (const { path, leaf } of applied.paths()) {
      if (!leaf || !o.set.has(path)) continue;
      // Against the merged result, not the config: an applied empty map ({}) merges into the
      // live one and changes nothing, so it conflicts with no owner of that map.
      if (!sameJson(liveFields.node(path)?.value, mergedFields.node(path)?.value)) conflicts.push({ owner: o, path });
    }
  }
  const reported = input.allowedConflicts ? conflicts.filter((c) => !input.allowedConflicts!.has(c.path)) : conflicts;
  if (reported.length && !input.force) throw conflictError(reported);
  for (const c of conflicts) c.owner.set.remove(c.path);

  const mine = upsert(list, 'Apply', input, eager);
  const previous = mine.set;
  merged = { ...merged, metadata: { ...(live?.metadata ?? {}), ...merged.metadata } };
  // Fields this manager stopped applying go away unless someone else still owns them.
  const dropped = [...previous.paths()].filter(({ path }) => !applied.has(path) && !list.some((o) => o !== mine && o.set.has(path))).map((p) => p.path);
  // merged shares the subtrees the config did not touch with live; removal must not reach live.
  if (dropped.length) merged = structuredClone(merged);
  // Shortest first: an item goes as a whole before its fields would be picked off one by one.
  for (const path of dropped.sort((a, b) => a.length - b.length)) {
    removeAt(merged, path, schema);
  }
  mine.set = applied;
  return withManaged(merged, serialize(list));
}

function sameJson(x: unknown, y: unknown): boolean {
  return x === y || JSON.stringify(x) === JSON.stringify(y);
}

function withManaged(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const metadata = { ...obj.metadata };
  if (entries.length) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

interface Conflict {
  owner: Owner;
  path: string[];
}

/**
 * upstream's printManager: an Apply manager is its quoted name; an Update manager also names its
 * subresource and apiVersion ("kubectl-edit" using apps/v1), as the manager identifier carries them.
 */
function managerText(e: ManagedFieldsEntry): string {
  let text = JSON.stringify(e.manager ?? '');
  if (e.subresource) text += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') text += ` using ${e.apiVersion ?? ''}`;
  return text;
}

/** 409 with upstream's message (one conflict inline; several grouped by sorted manager) and causes. */
function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerText(c.owner.entry)}`, field: pathString(c.path) }));
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return new ApiError('Conflict', `Apply failed with 1 conflict: conflict with ${managerText(c.owner.entry)}: ${pathString(c.path)}`, { details: { causes } });
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const m = managerText(c.owner.entry);
    byManager.set(m, [...(byManager.get(m) ?? []), pathString(c.path)]);
  }
  const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
  return new ApiError('Conflict', `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, { details: { causes } });
}

/**
 * The fields of the live object's kubectl.kubernetes.io/last-applied-configuration annotation, or
 * undefined without one. Upstream lets the "kubectl" apply manager take these over without a
 * conflict, so `kubectl apply --server-side` after client-side applies just works (its
 * lastAppliedManager); the caller decides when that applies.
 */
export function lastAppliedFields(live: KubeObject | undefined, schema: Schema | undefined): FieldSet | undefined {
  const text = live?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!text) return undefined;
  try {
    return fieldsOf(JSON.parse(text), schema);
  } catch {
    return undefined;
  }
}

/** The manager name for a non-apply write: fieldManager, else the User-Agent up to its first "/". */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0]!.trim();
  return ua || 'unknown';
}

export type { Obj as ManagedObject };
