// Generates data.ts: every resource of the group-versions a default Kubernetes 1.33 server serves,
// with its kind, scope, verbs and subresources read from the vendored 1.33 OpenAPI v2 document
// (third_party/kubernetes/openapi/v2.json), and the facts that document cannot carry (short names,
// categories, Table columns) from the upstream v1.26.1 discovery and Table captures for resources
// unchanged since, and from upstream's 1.33 registry and printers (FACTS_1_33 below) for the rest.
// Facts only: names, verbs, columns.
// Run: npx tsx internal/registry/resources/upstream/generate.ts [v1.26.1 reference dir]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Column { name: string; type: string; format: string; description: string; priority: number }
interface Facts { shortNames?: string[]; categories?: string[]; columns?: Column[] }
interface Op { 'x-kubernetes-action'?: string; 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string } }

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const ref126 = process.argv[2] ?? '/work/shared/reference/kubernetes-v1.26.1';
const v2 = JSON.parse(readFileSync(join(root, 'third_party', 'kubernetes', 'openapi', 'v2.json'), 'utf8')) as {
  paths: Record<string, Record<string, Op>>;
  definitions: Record<string, { properties?: Record<string, { description?: string }> }>;
};

/** Resources upstream registers but a server does not list in discovery as resources of their own. */
const SKIP = new Set(['v1/bindings', 'v1/componentstatuses']);

const NAME_DOC = 'metadata.name';
const AGE_DOC = 'metadata.creationTimestamp';
const propDoc = (def: string, prop: string): string => v2.definitions[def]?.properties?.[prop]?.description ?? '';
const col = (name: string, type: string, description: string, extra: Partial<Column> = {}): Column => ({
  name, type, format: '', description, priority: 0, ...extra,
});

/**
 * Resources new since the 1.26 capture, or whose facts changed: short names and categories from
 * upstream 1.33's registry (pkg/registry/.../storage), columns from its printers
 * (pkg/printers/internalversion/printers.go). Descriptions come from the 1.33 schema docs.
 */
const FACTS_1_33: Record<string, Facts> = {
  'admissionregistration.k8s.io/v1/validatingadmissionpolicies': {
    categories: ['api-extensions'],
    columns: [
      col('Name', 'string', NAME_DOC, { format: 'name' }),
      col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
      col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
      col('Age', 'string', AGE_DOC),
    ],
  },
  'admissionregistration.k8s.io/v1/validatingadmissionpolicybindings': {
    categories: ['api-extensions'],
    columns: [
      col('Name', 'string', NAME_DOC, { format: 'name' }),
      col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
      col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
      col('Age', 'string', AGE_DOC),
    ],
  },
  'networking.k8s.io/v1/servicecidrs': {
    columns: [
      col('Name', 'string', NAME_DOC, { format: 'name' }),
      col('CIDRs', 'string', propDoc('io.k8s.api.networking.v1.ServiceCIDRSpec', 'cidrs')),
      col('Age', 'string', AGE_DOC),
    ],
  },
  'networking.k8s.io/v1/ipaddresses': {
    columns: [
      col('Name', 'string', NAME_DOC, { format: 'name' }),
      col('ParentRef', 'string', propDoc('io.k8s.api.networking.v1.IPAddressSpec', 'parentRef')),
    ],
  },
};
/**
 * Columns upstream's printers added after 1.26 to resources whose other facts are unchanged: each
 * goes right after the named column of the captured Table.
 */
const ADDED_COLUMNS_1_33: Record<string, { after: string; column: Column }[]> = {
  'batch/v1/jobs': [{ after: 'Name', column: col('Status', 'string', 'Status of the job.') }],
  'batch/v1/cronjobs': [{ after: 'Schedule', column: col('Timezone', 'string', propDoc('io.k8s.api.batch.v1.CronJobSpec', 'timeZone')) }],
  'v1/persistentvolumes': [{ after: 'StorageClass', column: col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv') }],
  'v1/persistentvolumeclaims': [{ after: 'StorageClass', column: col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc') }],
};
function withAddedColumns(key: string, facts: Facts | undefined): Facts | undefined {
  const added = ADDED_COLUMNS_1_33[key];
  if (!added || !facts?.columns) return facts;
  const columns = [...facts.columns];
  for (const { after, column } of added) {
    const at = columns.findIndex((c) => c.name === after);
    if (at < 0) throw new Error(`${key}: no column ${after} to add ${column.name} after`);
    columns.splice(at + 1, 0, column);
  }
  return { ...facts, columns };
}
/** flowcontrol v1 carries the same facts as the captured v1beta3. */
const SAME_AS: Record<string, string> = {
  'flowcontrol.apiserver.k8s.io/v1/flowschemas': 'flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
  'flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations': 'flowcontrol.apiserver.k8s.io/v1beta3/prioritylevelconfigurations',
};

// ---- the 1.26 captures
const captured = new Map<string, Facts>();
let metaDocs: { name: string; age: string } | undefined;
for (const file of readdirSync(join(ref126, 'discovery'))) {
  if (!file.includes('__')) continue;
  const list = JSON.parse(readFileSync(join(ref126, 'discovery', file), 'utf8')) as {
    groupVersion: string;
    resources: { name: string; shortNames?: string[]; categories?: string[] }[];
  };
  const [group, version] = list.groupVersion.includes('/') ? list.groupVersion.split('/') : ['', list.groupVersion];
  for (const r of list.resources) {
    if (r.name.includes('/')) continue;
    let columns: Column[] | undefined;
    try {
      const t = JSON.parse(readFileSync(join(ref126, 'tables', `${group ? `${group}__` : ''}${version}__${r.name}.json`), 'utf8'));
      columns = t.columnDefinitions as Column[];
      const [first] = columns;
      const age = columns.find((c) => c.name === 'Age');
      if (first?.format === 'name' && age) metaDocs ??= { name: first.description, age: age.description };
    } catch {
      columns = undefined;
    }
    captured.set(`${list.groupVersion}/${r.name}`, {
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      ...(columns ? { columns } : {}),
    });
  }
}
if (!metaDocs) throw new Error('no Name/Age column descriptions in the 1.26 capture');
const docs = metaDocs;
const withMetaDocs = (c: Column): Column =>
  c.description === NAME_DOC ? { ...c, description: docs.name } : c.description === AGE_DOC ? { ...c, description: docs.age } : c;

// ---- resources from the 1.33 paths
const VERB_OF: Record<string, string> = {
  get: 'get', list: 'list', watch: 'watch', watchlist: 'watch', post: 'create', put: 'update', patch: 'patch',
  delete: 'delete', deletecollection: 'deletecollection',
};
const CONNECT_VERB: Record<string, string> = { get: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete' };
interface Res {
  group: string; version: string; plural: string; kind?: string; namespaced: boolean; verbs: Set<string>;
  subs: Map<string, { verbs: Set<string>; kind?: { group: string; version: string; kind: string } }>;
}
const resources = new Map<string, Res>();
for (const [path, item] of Object.entries(v2.paths)) {
  const p = path.split('/').filter(Boolean);
  let gv: string[];
  let rest: string[];
  if (p[0] === 'api' && p.length > 2) [gv, rest] = [['', p[1]!], p.slice(2)];
  else if (p[0] === 'apis' && p.length > 3) [gv, rest] = [[p[1]!, p[2]!], p.slice(3)];
  else continue;
  if (rest[0] === 'watch') rest = rest.slice(1);
  const namespaced = rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length > 2;
  if (namespaced) rest = rest.slice(2);
  // rest: [plural] | [plural, {name}] | [plural, {name}, sub] (| deeper proxy paths, skipped)
  if (rest.length === 0 || rest.length > 3 || (rest.length >= 2 && !rest[1]!.startsWith('{'))) continue;
  const [group, version] = gv as [string, string];
  const plural = rest[0]!;
  const key = `${group ? `${group}/` : ''}${version}/${plural}`;
  if (SKIP.has(key)) continue;
  let r = resources.get(key);
  if (!r) resources.set(key, (r = { group, version, plural, namespaced: false, verbs: new Set(), subs: new Map() }));
  for (const [method, op] of Object.entries(item)) {
    if (method === 'parameters') continue;
    const action = op['x-kubernetes-action'];
    const gvk = op['x-kubernetes-group-version-kind'];
    if (!action) continue;
    if (rest.length === 3) {
      const sub = r.subs.get(rest[2]!) ?? { verbs: new Set<string>() };
      const verb = action === 'connect' ? CONNECT_VERB[method] : VERB_OF[action];
      if (verb) sub.verbs.add(verb);
      if (gvk) sub.kind = { group: gvk.group, version: gvk.version, kind: gvk.kind };
      r.subs.set(rest[2]!, sub);
    } else {
      const verb = VERB_OF[action];
      if (verb) r.verbs.add(verb);
      if (gvk && action !== 'deletecollection' && action !== 'delete') r.kind ??= gvk.kind;
      if (namespaced) r.namespaced = true;
    }
  }
}

const descriptions: string[] = [];
const descIndex = (d: string): number => {
  let i = descriptions.indexOf(d);
  if (i < 0) i = descriptions.push(d) - 1;
  return i;
};
const out: string[] = [];
const missing: string[] = [];
for (const [key, r] of [...resources].sort(([a], [b]) => a.localeCompare(b))) {
  if (!r.kind) continue;
  const facts = FACTS_1_33[key] ?? withAddedColumns(key, captured.get(SAME_AS[key] ?? key));
  if (!facts) missing.push(key);
  const subresources = [...r.subs].sort(([a], [b]) => a.localeCompare(b)).map(([name, s]) => {
    const kind = s.kind && (s.kind.kind !== r.kind || s.kind.group !== r.group || s.kind.version !== r.version) ? { kind: s.kind } : {};
    return { name, verbs: [...s.verbs].sort(), ...kind };
  });
  const entry = {
    group: r.group, version: r.version, kind: r.kind, plural: r.plural, namespaced: r.namespaced, verbs: [...r.verbs].sort(),
    ...(facts?.shortNames ? { shortNames: facts.shortNames } : {}),
    ...(facts?.categories ? { categories: facts.categories } : {}),
    subresources,
  };
  const cols = (facts?.columns ?? []).map(withMetaDocs)
    .map((c) => `{ name: ${JSON.stringify(c.name)}, type: ${JSON.stringify(c.type)}, format: ${JSON.stringify(c.format)}, description: D[${descIndex(c.description)}]!, priority: ${c.priority} }`)
    .join(',\n      ');
  const json = JSON.stringify(entry).slice(0, -1);
  out.push(`  ${json}, columns: [\n      ${cols}\n    ] },`);
}

const text = `// GENERATED by generate.ts from the vendored Kubernetes 1.33 OpenAPI document, upstream v1.26.1
// discovery and Table captures, and upstream 1.33's registry and printer facts. Do not edit.
import type { UpstreamResource } from './types.js';

const D: string[] = ${JSON.stringify(descriptions, null, 1)};

export const UPSTREAM_RESOURCES: UpstreamResource[] = [
${out.join('\n')}
];
`;
writeFileSync(join(here, 'data.ts'), text);
console.log(`wrote ${out.length} resources, ${descriptions.length} descriptions; without captured facts: ${missing.join(', ') || 'none'}`);
