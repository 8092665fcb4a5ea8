export interface KubeconfigOptions {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  userName?: string;
}

/** Starts with a letter, no spaces, no `#`, no `: `, does not end with `:`. */
const PLAIN = /^[A-Za-z](?:[\w.\/:@+=\[\]-]*[\w.\/@+=\[\]-])?$/;

/** An admin kubeconfig with the credentials embedded, as kubeadm and k3s write them. */
export function renderKubeconfig(o: KubeconfigOptions): string {
  const cluster = o.clusterName ?? 'kplane';
  const user = o.userName ?? 'kubernetes-admin';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // Written by hand rather than with the yaml package: every start writes the kubeconfig, and loading
  // that package cost more than the rest of a restart's file work. Scalars stay plain (as a YAML
  // library writes them) when nothing in them can be read as YAML syntax or another type, and are
  // double-quoted JSON strings otherwise, so no value can break the document.
  const q = (v: string) => (PLAIN.test(v) && !/^(?:true|false|null|yes|no|on|off|y|n)$/i.test(v) ? v : JSON.stringify(v));
  const context = `${user}@${cluster}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: ${q(cluster)}`,
    '    cluster:',
    `      server: ${q(o.server)}`,
    `      certificate-authority-data: ${q(b64(o.caPem))}`,
    'users:',
    `  - name: ${q(user)}`,
    '    user:',
    `      client-certificate-data: ${q(b64(o.clientCertPem))}`,
    `      client-key-data: ${q(b64(o.clientKeyPem))}`,
    'contexts:',
    `  - name: ${q(context)}`,
    '    context:',
    `      cluster: ${q(cluster)}`,
    `      user: ${q(user)}`,
    `current-context: ${q(context)}`,
    'preferences: {}',
    '',
  ].join('\n');
}
