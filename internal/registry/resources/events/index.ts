import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { eventCells, eventStrategy, EVENT_TTL_SECONDS } from '../core/event.js';
import { defineBuiltin } from '../shared/define.js';
import { str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';
import { fromCoreEvent, toCoreEvent } from './convert.js';

const NOTE_MAX = 1024;

/** events.k8s.io/v1 requires the new-style reporting fields on create (upstream ValidateEventCreate). */
function validate(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(ev.eventTime)) errs.push(fieldErrors.required('eventTime', ''));
  for (const key of ['reportingController', 'reportingInstance', 'action', 'reason']) {
    if (!str(ev[key])) errs.push(fieldErrors.required(key, ''));
  }
  if (str(ev.note).length > NOTE_MAX) errs.push(fieldErrors.tooLong('note', NOTE_MAX));
  const type = str(ev.type);
  if (type !== 'Normal' && type !== 'Warning') errs.push(fieldErrors.notSupported('type', ev.type ?? '', ['Normal', 'Warning']));
  return errs;
}

export const eventsV1Strategy = defineStrategy({
  namespaced: true,
  validate,
  ttlSeconds: EVENT_TTL_SECONDS,
  // Field selectors use the core names on either shape, plus the events.k8s.io ones.
  selectableFields(ev) {
    const core = 'regarding' in ev || 'note' in ev ? toCoreEvent(ev) : ev;
    const fields = eventStrategy.selectableFields?.(core) ?? {};
    const regarding = Object.fromEntries(
      Object.entries(fields).filter(([k]) => k.startsWith('involvedObject.')).map(([k, v]) => [k.replace('involvedObject.', 'regarding.'), v]),
    );
    return { ...fields, ...regarding, reportingController: fields.reportingComponent ?? '' };
  },
});

export function eventsDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('events.k8s.io', 'v1', 'events'), {
      strategy: eventsV1Strategy,
      cells: eventCells(toCoreEvent),
      storageGroup: '',
      storageResource: 'events',
      convert: { toStored: toCoreEvent, fromStored: fromCoreEvent },
    }),
  ];
}
