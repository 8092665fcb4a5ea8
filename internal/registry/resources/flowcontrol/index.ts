import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { child, get, isObj, objs, setDefault, str } from '../shared/object.js';
import { nameIsPathSegment } from '../shared/validation.js';
import { defineStrategy, statusStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

// flowcontrol.apiserver.k8s.io/v1 (API Priority and Fairness configuration), stored and served
// with upstream's v1 defaults; the server's own request fairness does not read these objects.

const PL_TYPES = ['Exempt', 'Limited'];
const DISTINGUISHERS = ['ByNamespace', 'ByUser'];

export const flowSchemaStrategy = defineStrategy({
  namespaced: false,
  name: nameIsPathSegment,
  status: true,
  generation: true,
  defaults: (fs) => setDefault(child(fs, 'spec'), 'matchingPrecedence', 1000),
  validate(fs) {
    const errs: FieldError[] = [];
    if (!str(get(fs, 'spec', 'priorityLevelConfiguration', 'name'))) errs.push(fieldErrors.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
    const mp = get(fs, 'spec', 'matchingPrecedence');
    if (typeof mp !== 'number' || mp < 1 || mp > 10000) errs.push(fieldErrors.invalid('spec.matchingPrecedence', mp, 'must be a number between 1 and 10000, inclusive'));
    const dm = get(fs, 'spec', 'distinguisherMethod');
    if (isObj(dm) && !DISTINGUISHERS.includes(str(dm.type))) errs.push(fieldErrors.notSupported('spec.distinguisherMethod.type', dm.type, DISTINGUISHERS));
    return errs;
  },
});

/** SetDefaults_PriorityLevelConfiguration (v1): shares 30, queuing 64 queues, hand 8, length 50. */
function defaultPriorityLevel(pl: KubeObject): void {
  const spec = child(pl, 'spec');
  if (spec.type === 'Exempt') {
    const ex = child(spec, 'exempt');
    setDefault(ex, 'nominalConcurrencyShares', 0);
    setDefault(ex, 'lendablePercent', 0);
  }
  if (spec.type !== 'Limited') return;
  const lim = child(spec, 'limited');
  setDefault(lim, 'nominalConcurrencyShares', 30);
  setDefault(lim, 'lendablePercent', 0);
  const resp = child(lim, 'limitResponse');
  setDefault(resp, 'type', 'Reject');
  if (resp.type === 'Queue') {
    const q = child(resp, 'queuing');
    setDefault(q, 'queues', 64);
    setDefault(q, 'handSize', 8);
    setDefault(q, 'queueLengthLimit', 50);
  }
}

export const priorityLevelStrategy = defineStrategy({
  namespaced: false,
  name: nameIsPathSegment,
  status: true,
  generation: true,
  defaults: defaultPriorityLevel,
  validate(pl) {
    const spec = isObj(pl.spec) ? pl.spec : {};
    if (!PL_TYPES.includes(str(spec.type))) return [fieldErrors.notSupported('spec.type', spec.type, PL_TYPES)];
    if (spec.type === 'Limited' && !isObj(spec.limited)) return [fieldErrors.required('spec.limited', 'must not be empty when type is Limited')];
    return [];
  },
});

const queuing = (pl: KubeObject, key: string): string => {
  const q = get(pl, 'spec', 'limited', 'limitResponse', 'queuing');
  return isObj(q) && q[key] !== undefined ? String(q[key]) : '<none>';
};

export function flowcontrolDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream('flowcontrol.apiserver.k8s.io', 'v1', plural);
  return [
    defineBuiltin(up('flowschemas'), {
      strategy: flowSchemaStrategy,
      cells: {
        PriorityLevel: (fs) => str(get(fs, 'spec', 'priorityLevelConfiguration', 'name')),
        MatchingPrecedence: (fs) => String(get(fs, 'spec', 'matchingPrecedence') ?? ''),
        DistinguisherMethod: (fs) => str(get(fs, 'spec', 'distinguisherMethod', 'type')) || '<none>',
        MissingPL: (fs) => str(objs(get(fs, 'status', 'conditions')).find((c) => c.type === 'Dangling')?.status) || '?',
      },
      subresources: { status: { strategy: statusStrategy(flowSchemaStrategy) } },
    }),
    defineBuiltin(up('prioritylevelconfigurations'), {
      strategy: priorityLevelStrategy,
      cells: {
        Type: (pl) => str(get(pl, 'spec', 'type')),
        NominalConcurrencyShares: (pl) => {
          const v = get(pl, 'spec', 'limited', 'nominalConcurrencyShares');
          return v === undefined ? '<none>' : String(v);
        },
        Queues: (pl) => queuing(pl, 'queues'),
        HandSize: (pl) => queuing(pl, 'handSize'),
        QueueLengthLimit: (pl) => queuing(pl, 'queueLengthLimit'),
      },
      subresources: { status: { strategy: statusStrategy(priorityLevelStrategy) } },
    }),
  ];
}
