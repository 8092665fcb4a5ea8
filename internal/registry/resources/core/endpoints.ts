import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { objs, setDefault, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

const MAX_SHOWN = 3;

/** "10.0.0.1:80,10.0.0.2:80 + 3 more..." as the endpoints printer shows it. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = objs(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = objs(ss.addresses);
    const ports = objs(ss.ports);
    const targets = ports.length === 0 ? [undefined] : ports.map((p) => p.port);
    for (const port of targets) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) break;
        const ip = str(a.ip);
        const host = ip.includes(':') ? `[${ip}]` : ip;
        list.push(port === undefined ? ip : `${host}:${String(port)}`);
      }
    }
  }
  const text = list.join(',');
  if (count > MAX_SHOWN) return `${text} + ${count - MAX_SHOWN} more...`;
  return text || '<none>';
}

function validate(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objs(ep.subsets).forEach((ss, i) => {
    for (const key of ['addresses', 'notReadyAddresses']) {
      objs(ss[key]).forEach((a, j) => {
        if (!str(a.ip)) errs.push(fieldErrors.required(`subsets[${i}].${key}[${j}].ip`, ''));
      });
    }
    objs(ss.ports).forEach((p, j) => {
      const port = p.port;
      if (typeof port !== 'number' || port < 1 || port > 65535) {
        errs.push(fieldErrors.invalid(`subsets[${i}].ports[${j}].port`, port ?? 0, 'must be between 1 and 65535, inclusive'));
      }
    });
  });
  return errs;
}

export const endpointsStrategy = defineStrategy({
  namespaced: true,
  defaults: (ep) => {
    for (const ss of objs(ep.subsets)) for (const p of objs(ss.ports)) setDefault(p, 'protocol', 'TCP');
  },
  validate,
  allowCreateOnUpdate: true,
});

/** Upstream's Warning on every v1 Endpoints request since 1.33 (KEP-4974). */
export const ENDPOINTS_DEPRECATION = 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice';

export function endpointsDefinition(): ResourceDefinition {
  const def = defineBuiltin(upstream('', 'v1', 'endpoints'), {
    strategy: endpointsStrategy,
    cells: { Endpoints: formatEndpoints },
  });
  return { ...def, deprecationWarning: ENDPOINTS_DEPRECATION };
}
