import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { type Cell, defineBuiltin } from '../shared/define.js';
import { get, isObj, num, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { since } from '../shared/time.js';
import { upstream } from '../upstream/index.js';

function validate(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const involvedNs = str(get(ev, 'involvedObject', 'namespace'));
  if (involvedNs && ev.metadata.namespace && involvedNs !== ev.metadata.namespace) {
    errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  const type = str(ev.type);
  if (type && type !== 'Normal' && type !== 'Warning') errs.push(fieldErrors.notSupported('type', type, ['Normal', 'Warning']));
  return errs;
}

/** Events expire after an hour (the apiserver's --event-ttl default). */
export const EVENT_TTL_SECONDS = 3600;

export const eventStrategy = defineStrategy({
  namespaced: true,
  validate,
  ttlSeconds: EVENT_TTL_SECONDS,
  selectableFields(ev) {
    const io = (k: string) => str(get(ev, 'involvedObject', k));
    return {
      'involvedObject.kind': io('kind'),
      'involvedObject.namespace': io('namespace'),
      'involvedObject.name': io('name'),
      'involvedObject.uid': io('uid'),
      'involvedObject.apiVersion': io('apiVersion'),
      'involvedObject.resourceVersion': io('resourceVersion'),
      'involvedObject.fieldPath': io('fieldPath'),
      reason: str(ev.reason),
      reportingComponent: str(ev.reportingComponent),
      source: str(get(ev, 'source', 'component')),
      type: str(ev.type),
    };
  },
});

/** Cells of the events printer, over the core/v1 shape (events.k8s.io converts to it first). */
export function eventCells(toCore: (o: KubeObject) => KubeObject = (o) => o): Record<string, Cell> {
  const first = (ev: KubeObject, now: number) =>
    str(ev.firstTimestamp) ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
  const last = (ev: KubeObject, now: number) => {
    if (isObj(ev.series)) return since(ev.series.lastObservedTime, now);
    return str(ev.lastTimestamp) ? since(ev.lastTimestamp, now) : first(ev, now);
  };
  const count = (ev: KubeObject) => (isObj(ev.series) ? num(ev.series.count) : num(ev.count) || 1);
  const wrap = (f: (ev: KubeObject, now: number) => string | number): Cell => (o, now) => f(toCore(o), now);
  return {
    'Last Seen': wrap(last),
    Type: wrap((ev) => str(ev.type)),
    Reason: wrap((ev) => str(ev.reason)),
    Object: wrap((ev) => {
      const kind = str(get(ev, 'involvedObject', 'kind')).toLowerCase();
      const name = str(get(ev, 'involvedObject', 'name'));
      return name ? `${kind}/${name}` : kind;
    }),
    Subobject: wrap((ev) => str(get(ev, 'involvedObject', 'fieldPath'))),
    Source: wrap((ev) => {
      const component = str(get(ev, 'source', 'component')) || str(ev.reportingComponent);
      const instance = str(get(ev, 'source', 'host')) || str(ev.reportingInstance);
      return instance ? `${component}, ${instance}` : component;
    }),
    Message: wrap((ev) => str(ev.message).trim()),
    'First Seen': wrap(first),
    Count: wrap(count),
    Name: wrap((ev) => ev.metadata.name ?? ''),
  };
}

export function eventDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'events'), { strategy: eventStrategy, cells: eventCells() });
}
