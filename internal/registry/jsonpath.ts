import { isObject } from './store/util.js';

/**
 * The JSONPath subset CRDs use in additionalPrinterColumns, scale paths and selectable fields:
 * `.a.b`, `.a[0].b`, `.a[*].b`, `.a['x.y']` and filters `.a[?(@.type=="Ready")].status`.
 * Optional `{...}` braces are accepted. Evaluation returns every match, in document order.
 */
type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'filter'; path: string[]; value: string };

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^[A-Za-z0-9_\-$]+/.exec(s.slice(i + 1));
      if (!m) throw new JsonPathError(`invalid JSONPath ${JSON.stringify(expr)} at ${i}`);
      steps.push({ kind: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) throw new JsonPathError(`unclosed [ in JSONPath ${JSON.stringify(expr)}`);
      steps.push(bracket(s.slice(i + 1, close).trim(), expr));
      i = close + 1;
    } else {
      throw new JsonPathError(`invalid JSONPath ${JSON.stringify(expr)}: unexpected ${JSON.stringify(s[i])}`);
    }
  }
  return steps;
}

function bracket(inner: string, expr: string): Step {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return { kind: 'field', name: quoted[2]! };
  const filter = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*(['"])(.*)\2\)$/.exec(inner);
  if (filter) return { kind: 'filter', path: filter[1]!.slice(1).split('.'), value: filter[3]! };
  throw new JsonPathError(`unsupported JSONPath ${JSON.stringify(expr)}`);
}

export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.kind === 'field') {
        if (isObject(v) && v[step.name] !== undefined) next.push(v[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (Array.isArray(v)) {
        for (const item of v) if (step.kind === 'all' || matchesFilter(item, step.path, step.value)) next.push(item);
      } else if (step.kind === 'all' && isObject(v)) {
        next.push(...Object.values(v));
      }
    }
    cur = next;
  }
  return cur;
}

function matchesFilter(item: unknown, path: string[], value: string): boolean {
  let v: unknown = item;
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return v !== undefined && String(v) === value;
}

/** The first match of a dotted path, or undefined. */
export function getPath(root: unknown, path: string): unknown {
  return evaluateJsonPath(parseJsonPath(path), root)[0];
}

/** Sets a simple dotted path (`.spec.replicas`), creating objects on the way. */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const steps = parseJsonPath(path);
  let cur: Record<string, unknown> = root;
  steps.forEach((step, i) => {
    if (step.kind !== 'field') throw new JsonPathError(`cannot set through ${JSON.stringify(path)}`);
    if (i === steps.length - 1) {
      cur[step.name] = value;
      return;
    }
    if (!isObject(cur[step.name])) cur[step.name] = {};
    cur = cur[step.name] as Record<string, unknown>;
  });
}
