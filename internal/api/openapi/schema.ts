/**
 * A navigable view of an OpenAPI v3 schema, enough for patching (strategic merge patch, server-side
 * apply) and for finding unknown fields. `$ref`s are resolved lazily against a components map, so
 * recursive schemas (CRD JSONSchemaProps) are fine.
 */
export type Raw = Record<string, unknown>;

export interface ListSemantics {
  /** atomic = replaced whole; set = union of scalars; map = items merged by keys. */
  listType: 'atomic' | 'set' | 'map';
  keys: string[];
  /** Schema defaults of key fields (ports: protocol "TCP"), used when an item leaves a key out. */
  keyDefaults?: Record<string, unknown>;
}

export class Schema {
  // Memoized navigation: patching and managedFields tracking walk the same schema paths for every
  // field of every write, so each node resolves its body, children and list semantics once.
  private resolved?: Raw;
  private readonly children = new Map<string, Schema | undefined>();
  private itemSchema?: { s: Schema | undefined };
  private mapValues?: { s: Schema | undefined };
  private listSemantics?: ListSemantics;
  private flags?: Flags;

  constructor(
    readonly raw: Raw,
    private readonly resolveRef: (ref: string) => Raw | undefined,
  ) {}

  /** The effective schema: follows $ref and single-element allOf wrappers (upstream's v3 style). */
  private get body(): Raw {
    return (this.resolved ??= this.resolve());
  }

  private resolve(): Raw {
    let s = this.raw;
    for (let i = 0; i < 8; i++) {
      if (typeof s.$ref === 'string') {
        s = { ...(this.resolveRef(s.$ref) ?? {}), ...omit(s, '$ref') };
        continue;
      }
      const allOf = s.allOf as Raw[] | undefined;
      if (Array.isArray(allOf) && allOf.length === 1) {
        s = { ...allOf[0], ...omit(s, 'allOf') };
        continue;
      }
      break;
    }
    return s;
  }

  private wrap(raw: unknown): Schema | undefined {
    return raw && typeof raw === 'object' ? new Schema(raw as Raw, this.resolveRef) : undefined;
  }

  /** The derived answers below, worked out once: every write asks them for every field it carries. */
  private get f(): Flags {
    return (this.flags ??= {
      refName: this.refNameOf(),
      type: this.typeOf(),
      isMap: this.isMapOf(),
      acceptsAnyField: this.acceptsAnyFieldOf(),
      isIntOrString: this.body['x-kubernetes-int-or-string'] === true,
      mapType: this.body['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : 'granular',
    });
  }

  /** The component this schema refers to ("io.k8s.api.core.v1.Container"), if it is a reference. */
  get refName(): string | undefined {
    return this.f.refName;
  }

  private refNameOf(): string | undefined {
    const allOf = this.raw.allOf as Raw[] | undefined;
    const ref = this.raw.$ref ?? (Array.isArray(allOf) && allOf.length === 1 ? allOf[0]!.$ref : undefined);
    return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
  }

  /** The declared format (int32, int64, date-time, byte…). */
  get format(): string | undefined {
    const f = this.body.format;
    return typeof f === 'string' ? f : undefined;
  }

  /** True for a map (additionalProperties with a schema) rather than a struct. */
  get isMap(): boolean {
    return this.f.isMap;
  }

  private isMapOf(): boolean {
    const ap = this.body.additionalProperties;
    return !!ap && typeof ap === 'object' && !this.body.properties;
  }

  /** True when the schema declares properties (a struct). */
  get hasProperties(): boolean {
    return !!this.body.properties;
  }

  get type(): string | undefined {
    return this.f.type;
  }

  private typeOf(): string | undefined {
    const b = this.body;
    if (typeof b.type === 'string') return b.type;
    if (b.properties) return 'object';
    return undefined;
  }

  /** The schema of property `name`, or of map values when the object is a map. */
  field(name: string): Schema | undefined {
    const b = this.body;
    const props = b.properties as Raw | undefined;
    if (props && Object.prototype.hasOwnProperty.call(props, name)) {
      // Cached per declared property only: map keys (labels, data) are unbounded.
      if (!this.children.has(name)) this.children.set(name, this.wrap(props[name]));
      return this.children.get(name);
    }
    if (b.additionalProperties && typeof b.additionalProperties === 'object') return (this.mapValues ??= { s: this.wrap(b.additionalProperties) }).s;
    return undefined;
  }

  get items(): Schema | undefined {
    return (this.itemSchema ??= { s: this.wrap(this.body.items) }).s;
  }

  /** Declared property names (empty for maps and free-form objects). */
  get propertyNames(): string[] {
    return Object.keys((this.body.properties as Raw) ?? {});
  }

  /**
   * True when any field name is allowed (maps, preserve-unknown-fields, schemaless objects, and
   * untyped schemas such as JSONSchemaPropsOrArray or JSON, which hold arbitrary values).
   */
  get acceptsAnyField(): boolean {
    return this.f.acceptsAnyField;
  }

  private acceptsAnyFieldOf(): boolean {
    const b = this.body;
    if (b['x-kubernetes-preserve-unknown-fields'] === true) return true;
    if (b.additionalProperties !== undefined && b.additionalProperties !== false) return true;
    const type = this.typeOf();
    return (type === 'object' || type === undefined) && !b.properties;
  }

  get isIntOrString(): boolean {
    return this.f.isIntOrString;
  }

  get patchStrategies(): string[] {
    const s = this.body['x-kubernetes-patch-strategy'];
    return typeof s === 'string' ? s.split(',').map((x) => x.trim()) : [];
  }

  get patchMergeKey(): string | undefined {
    const k = this.body['x-kubernetes-patch-merge-key'];
    return typeof k === 'string' ? k : undefined;
  }

  get mapType(): 'atomic' | 'granular' {
    return this.f.mapType;
  }

  /**
   * How a list merges in server-side apply. Explicit x-kubernetes-list-type wins; otherwise, as the
   * upstream OpenAPI→SMD conversion does, a merge patch strategy with a merge key is a map keyed by
   * it, a merge strategy over scalars is a set, and anything else is atomic.
   */
  get list(): ListSemantics {
    return (this.listSemantics ??= this.listOf());
  }

  private listOf(): ListSemantics {
    const b = this.body;
    const lt = b['x-kubernetes-list-type'];
    if (lt === 'map') return this.mapList((b['x-kubernetes-list-map-keys'] as string[]) ?? (this.patchMergeKey ? [this.patchMergeKey] : []));
    if (lt === 'set') return { listType: 'set', keys: [] };
    if (lt === 'atomic') return { listType: 'atomic', keys: [] };
    if (this.patchStrategies.includes('merge')) {
      if (this.patchMergeKey) return this.mapList([this.patchMergeKey]);
      return { listType: 'set', keys: [] };
    }
    return { listType: 'atomic', keys: [] };
  }

  /** The schema's default value, if any. */
  get defaultValue(): unknown {
    return this.body.default;
  }

  private mapList(keys: string[]): ListSemantics {
    const keyDefaults: Record<string, unknown> = {};
    for (const k of keys) {
      const d = this.items?.field(k)?.defaultValue;
      if (d !== undefined) keyDefaults[k] = d;
    }
    return Object.keys(keyDefaults).length ? { listType: 'map', keys, keyDefaults } : { listType: 'map', keys };
  }
}

interface Flags {
  refName: string | undefined;
  type: string | undefined;
  isMap: boolean;
  acceptsAnyField: boolean;
  isIntOrString: boolean;
  mapType: 'atomic' | 'granular';
}

function omit(o: Raw, key: string): Raw {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}

/** Builds a Schema over a components map (`#/components/schemas/X` or `#/definitions/X` refs). */
export function schemaFrom(root: Raw, components: Record<string, Raw> = {}): Schema {
  return new Schema(root, (ref) => components[ref.slice(ref.lastIndexOf('/') + 1)]);
}
