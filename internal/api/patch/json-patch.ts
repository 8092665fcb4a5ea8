import { clone, deepEqual, isPlainObject } from './merge-patch.js';

/**
 * JSON Patch (RFC 6902) with JSON Pointers (RFC 6901). `malformed` means the patch document itself
 * is wrong (400 upstream); `failed` means it is well-formed but cannot apply to this document: a
 * missing path or a failed `test` (422 upstream).
 */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
  constructor(
    readonly kind: 'malformed' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

type Op = { op: string; path: string; value?: unknown; from?: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a JSON Patch document before anything is applied. */
export function parseJsonPatch(patch: unknown): Op[] {
  if (!Array.isArray(patch)) throw new JsonPatchError('malformed', 'json patch must be an array of operations');
  return patch.map((raw, i) => {
    if (!isPlainObject(raw)) throw new JsonPatchError('malformed', `operation ${i} is not an object`);
    const { op, path, from } = raw;
    if (typeof op !== 'string' || !OPS.has(op)) throw new JsonPatchError('malformed', `Unexpected kind: ${String(op)}`);
    if (typeof path !== 'string') throw new JsonPatchError('malformed', `operation ${i} (${op}) is missing path`);
    if (path !== '' && !path.startsWith('/')) throw new JsonPatchError('malformed', `invalid JSON pointer ${JSON.stringify(path)}`);
    if ((op === 'move' || op === 'copy') && typeof from !== 'string') throw new JsonPatchError('malformed', `operation ${i} (${op}) is missing from`);
    if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in raw)) throw new JsonPatchError('malformed', `operation ${i} (${op}) is missing value`);
    return raw as Op;
  });
}

/** Applies the operations in order to a copy of doc; all or nothing. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  let out = clone(doc);
  for (const op of parseJsonPatch(patch)) out = applyOp(out, op);
  return out;
}

function applyOp(doc: unknown, op: Op): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, clone(op.value));
    case 'remove':
      return remove(doc, op.path).doc;
    case 'replace':
      get(doc, op.path);
      return add(remove(doc, op.path).doc, op.path, clone(op.value), true);
    case 'move': {
      if (op.path.startsWith(op.from! + '/')) throw new JsonPatchError('failed', `move: cannot move ${op.from} into its own child ${op.path}`);
      const { doc: without, value } = remove(doc, op.from!);
      return add(without, op.path, value);
    }
    case 'copy':
      return add(doc, op.path, clone(get(doc, op.from!)));
    default: {
      const actual = tryGet(doc, op.path);
      if (!actual.found || !deepEqual(actual.value, op.value)) throw new JsonPatchError('failed', `testing value ${op.path} failed: test failed`);
      return doc;
    }
  }
}

function tokens(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(arr: unknown[], token: string, path: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError('failed', `invalid array index ${JSON.stringify(token)} in ${path}`);
  const i = Number(token);
  if (i > arr.length || (!allowEnd && i === arr.length)) throw new JsonPatchError('failed', `array index ${i} out of bounds in ${path}`);
  return i;
}

/** Walks to the parent of the last token; throws `failed` when an intermediate member is missing. */
function parentOf(doc: unknown, path: string): { parent: unknown; last: string } {
  const ts = tokens(path);
  let cur = doc;
  for (const t of ts.slice(0, -1)) {
    const step = child(cur, t);
    if (!step.found) throw new JsonPatchError('failed', `doc is missing path: ${JSON.stringify(path)}`);
    cur = step.value;
  }
  return { parent: cur, last: ts[ts.length - 1]! };
}

function child(cur: unknown, t: string): { found: boolean; value?: unknown } {
  if (Array.isArray(cur)) {
    if (!/^(0|[1-9][0-9]*)$/.test(t) || Number(t) >= cur.length) return { found: false };
    return { found: true, value: cur[Number(t)] };
  }
  if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) return { found: true, value: cur[t] };
  return { found: false };
}

function tryGet(doc: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: { found: boolean; value?: unknown } = { found: true, value: doc };
  for (const t of tokens(path)) {
    cur = child(cur.value, t);
    if (!cur.found) break;
  }
  return cur;
}

function get(doc: unknown, path: string): unknown {
  const r = tryGet(doc, path);
  if (!r.found) throw new JsonPatchError('failed', `doc is missing path: ${JSON.stringify(path)}`);
  return r.value;
}

/** Adds (or, for `replace`, re-inserts) value at path; mutates and returns doc (which is a private copy). */
function add(doc: unknown, path: string, value: unknown, replacing = false): unknown {
  if (path === '') return value;
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, last, path, true), 0, value);
  } else if (isPlainObject(parent)) {
    parent[last] = value;
  } else {
    throw new JsonPatchError('failed', `${replacing ? 'replace' : 'add'} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
  }
  return doc;
}

function remove(doc: unknown, path: string): { doc: unknown; value: unknown } {
  if (path === '') return { doc: null, value: doc };
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, path, false);
    const [value] = parent.splice(i, 1);
    return { doc, value };
  }
  if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return { doc, value };
  }
  throw new JsonPatchError('failed', `doc is missing path: ${JSON.stringify(path)}`);
}
