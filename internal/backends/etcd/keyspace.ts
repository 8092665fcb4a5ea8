/**
 * kplane's keys are kube-apiserver's layout, "/registry/<resource>/<namespace>/<name>" (custom
 * resources under "/registry/<group>/<plural>/..."). In etcd they live under --etcd-prefix the way
 * kube-apiserver stores them: "/registry" itself is replaced by the prefix, so with the default
 * prefix the keys are byte for byte upstream's. Keys outside "/registry" (tests) are stored as they are.
 */
export class Keyspace {
  private readonly root: string;

  constructor(prefix = '/registry') {
    const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    if (!p.startsWith('/')) throw new Error(`etcd prefix must start with "/", got "${prefix}"`);
    this.root = p;
  }

  toEtcd(key: string): Buffer {
    if (key === '/registry' || key.startsWith('/registry/')) return Buffer.from(this.root + key.slice('/registry'.length));
    return Buffer.from(key);
  }

  fromEtcd(key: Buffer): string {
    const k = key.toString();
    if (this.root === '/registry') return k;
    return k === this.root || k.startsWith(this.root + '/') ? '/registry' + k.slice(this.root.length) : k;
  }
}

/** The end of etcd's range for all keys starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: to the end of the keyspace.
  return Buffer.from([0]);
}
