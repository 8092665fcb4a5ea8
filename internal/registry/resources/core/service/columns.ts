import type { KubeObject } from '../../../../api/index.js';
import type { Cell } from '../../shared/define.js';
import { arr, get, objs, str } from '../../shared/object.js';
import { formatLabels } from '../../shared/selectors.js';

/** "ip1,host2" from a LoadBalancer status (loadBalancerStatusStringer, wide form). */
export function loadBalancerIngress(status: unknown): string {
  return objs(get(status, 'ingress')).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean).join(',');
}

function externalIP(svc: KubeObject): string {
  const externalIPs = arr(get(svc, 'spec', 'externalIPs')).map(str);
  switch (get(svc, 'spec', 'type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(get(svc, 'status', 'loadBalancer'));
      const all = [...(lb ? lb.split(',') : []), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(get(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function ports(svc: KubeObject): string {
  const text = objs(get(svc, 'spec', 'ports'))
    .map((p) => (p.nodePort ? `${String(p.port)}:${String(p.nodePort)}/${str(p.protocol)}` : `${String(p.port)}/${str(p.protocol)}`))
    .join(',');
  return text || '<none>';
}

export const serviceCells: Record<string, Cell> = {
  Type: (svc) => str(get(svc, 'spec', 'type')),
  'Cluster-IP': (svc) => str(get(svc, 'spec', 'clusterIPs', 0)) || str(get(svc, 'spec', 'clusterIP')) || '<none>',
  'External-IP': externalIP,
  'Port(s)': ports,
  Selector: (svc) => formatLabels(get(svc, 'spec', 'selector')),
};
