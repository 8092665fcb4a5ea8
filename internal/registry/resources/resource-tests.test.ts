import type { KubeObject } from '../../api/index.js';
import { runResourceTests, type ResourceTestCases } from '../testing/index.js';
import { builtinDefinitions } from './index.js';
import { coreCases, groupCases, workloadCases } from './testdata.js';

// Every built-in definition through the generic resource tester (create/get/list/update/delete/
// dry run/watch/table/field selectors/invalid objects) over the real handler.
const defs = builtinDefinitions();

function casesFor(group: string, version: string, plural: string): { valid: KubeObject; invalid: [KubeObject, string[]][] } {
  if (group === '') return coreCases[plural]!;
  const w = workloadCases[plural];
  if (w && w.group === group) return w;
  const g = groupCases.find(([gg, v, p]) => gg === group && v === version && p === plural);
  if (!g) throw new Error(`no test data for ${plural}.${group}/${version}`);
  return { valid: g[3], invalid: g[4] };
}

const addLabel = (o: KubeObject) => void (o.metadata.labels = { ...(o.metadata.labels ?? {}), touched: 'yes' });

for (const def of defs) {
  const c = casesFor(def.group, def.version, def.plural);
  const cases: ResourceTestCases = {
    valid: c.valid,
    invalid: c.invalid.map(([object, fields], i) => ({ name: `#${i} (${fields.join(', ')})`, object, message: fields[0] })),
    update: addLabel,
  };
  runResourceTests(def, cases);
}
