import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  userName?: string;
}

/** An admin kubeconfig with the credentials embedded, as kubeadm and k3s write them. */
export function renderKubeconfig(o: KubeconfigOptions): string {
  const cluster = o.clusterName ?? 'kplane';
  const user = o.userName ?? 'kubernetes-admin';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(o.clientCertPem), 'client-key-data': b64(o.clientKeyPem) } }],
    contexts: [{ name: `${user}@${cluster}`, context: { cluster, user } }],
    'current-context': `${user}@${cluster}`,
    preferences: {},
  });
}
