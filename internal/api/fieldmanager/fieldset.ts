/**
 * A set of field paths, as server-side apply tracks ownership, and its FieldsV1 wire form:
 * `f:<name>` a field, `k:{"name":"x"}` an item of an associative list, `v:<json>` an item of a set,
 * `i:<n>` a list position, and `.` the node itself. A node is a member of the set when it is a
 * leaf (scalar, atomic value) or, for list items and maps, when the node itself is owned.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new FieldSet()));
    return c;
  }

  get isEmpty(): boolean {
    return !this.member && [...this.children.values()].every((c) => c.isEmpty);
  }

  /** Every member path, depth first; each path is a list of elements such as ["f:spec", "f:replicas"]. */
  *paths(prefix: string[] = []): Generator<{ path: string[]; leaf: boolean }> {
    if (this.member && prefix.length) yield { path: prefix, leaf: this.children.size === 0 };
    for (const [k, c] of this.children) yield* c.paths([...prefix, k]);
  }

  has(path: string[]): boolean {
    let n: FieldSet | undefined = this;
    for (const el of path) {
      n = n.children.get(el);
      if (!n) return false;
    }
    return n.member;
  }

  add(path: string[], leafHint = true): void {
    let n: FieldSet = this;
    for (const el of path) n = n.child(el);
    n.member = true;
    void leafHint;
  }

  remove(path: string[]): void {
    const walk = (n: FieldSet, i: number): void => {
      if (i === path.length) {
        n.member = false;
        return;
      }
      const c = n.children.get(path[i]!);
      if (!c) return;
      walk(c, i + 1);
      if (c.isEmpty) n.children.delete(path[i]!);
    };
    walk(this, 0);
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.children.set(k, c.clone());
    return out;
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size) out['.'] = {};
    for (const [k, c] of [...this.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!c.isEmpty) out[k] = c.toFieldsV1();
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const fill = (node: FieldSet, obj: unknown) => {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('invalid FieldsV1: nodes must be objects');
      const entries = Object.entries(obj as Record<string, unknown>);
      if (entries.length === 0) node.member = true;
      for (const [k, x] of entries) {
        if (k === '.') node.member = true;
        else if (/^[fkvi]:/.test(k)) fill(node.child(k), x);
        else throw new Error(`invalid FieldsV1 key ${JSON.stringify(k)}`);
      }
    };
    fill(s, v);
    s.member = false;
    return s;
  }
}

/** Renders a path as upstream prints it in conflicts: `.spec.replicas`, `.spec.containers[name="app"].image`. */
export function pathString(path: string[]): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      switch (el[0]) {
        case 'f':
          return `.${body}`;
        case 'k':
          return `[${Object.entries(JSON.parse(body) as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
