/**
 * A set of field paths, as server-side apply tracks ownership, and its FieldsV1 wire form:
 * `f:<name>` a field, `k:{"name":"x"}` an item of an associative list, `v:<json>` an item of a set,
 * `i:<n>` a list position, and `.` the node itself. A node is a member of the set when it is a
 * leaf (scalar, atomic value) or, for list items and maps, when the node itself is owned.
 */
export class FieldSet {
  member = false;
  /** The object's value at this node when fieldsOf built the set (member nodes only), else undefined. */
  value: unknown = undefined;
  readonly children = new Map<string, FieldSet>();

  child(key: string): FieldSet {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new FieldSet()));
    return c;
  }

  get isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty) return false;
    return true;
  }

  /** Every member path, depth first; each path is a list of elements such as ["f:spec", "f:replicas"]. */
  paths(): Array<{ path: string[]; leaf: boolean }> {
    const out: Array<{ path: string[]; leaf: boolean }> = [];
    const visit = (n: FieldSet, prefix: string[]): void => {
      for (const [k, c] of n.children) {
        prefix.push(k);
        if (c.member) out.push({ path: prefix.slice(), leaf: c.children.size === 0 });
        visit(c, prefix);
        prefix.pop();
      }
    };
    visit(this, []);
    return out;
  }

  /** The node at path, member or not, or undefined. */
  node(path: string[]): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const el of path) {
      n = n.children.get(el);
      if (!n) return undefined;
    }
    return n;
  }

  /** Removes every node without a member at or below it (the root stays). */
  prune(): this {
    for (const [k, c] of this.children) if (c.prune().isEmptyShallow()) this.children.delete(k);
    return this;
  }

  private isEmptyShallow(): boolean {
    return !this.member && this.children.size === 0;
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
    return this.render() ?? {};
  }

  /**
   * The FieldsV1 form, or undefined when the set is empty (no member at or below). Children in
   * sorted key order after ".", which marks a member node that has children (even empty ones).
   */
  render(): Record<string, unknown> | undefined {
    let rendered: Array<[string, Record<string, unknown>]> | undefined;
    if (this.children.size) {
      for (const k of [...this.children.keys()].sort()) {
        const r = this.children.get(k)!.render();
        if (r) (rendered ??= []).push([k, r]);
      }
    }
    if (!rendered && !this.member) return undefined;
    const out: Record<string, unknown> = {};
    if (this.member && this.children.size) out['.'] = {};
    if (rendered) for (const [k, r] of rendered) out[k] = r;
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
        else if (isElement(k)) fill(node.child(k), x);
        else throw new Error(`invalid FieldsV1 key ${JSON.stringify(k)}`);
      }
    };
    fill(s, v);
    s.member = false;
    return s;
  }
}

/** Whether k is a path element: f:, k:, v: or i: followed by anything. */
function isElement(k: string): boolean {
  if (k.charCodeAt(1) !== 58) return false; // ':'
  const c = k.charCodeAt(0);
  return c === 102 || c === 107 || c === 118 || c === 105; // f k v i
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
