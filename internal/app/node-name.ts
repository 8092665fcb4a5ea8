import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError, type KubeObject } from '../api/index.js';
import { microTime, type Client } from '../client/index.js';
import { LEASES, LEASE_NAMESPACE } from '../leaderelection/index.js';
import { ConfigError } from '../util/index.js';

/** The Lease that reserves a node name in the cluster (holderIdentity = the node's uid). */
export const nodeNameLease = (name: string): string => `kplane-node-${name}`;
export const NODE_NAME_LABEL = 'kplane.io/node-name';
/** The API URL a node advertises, on its name Lease (the API servers of the cluster, by node). */
export const API_ADDRESS_ANNOTATION = 'kplane.io/api-address';

interface Stored {
  name: string;
  uid: string;
}

/** A host name as a DNS label: lowercase, [a-z0-9-], at most 50 characters (room for the Lease prefix and a suffix). */
export function sanitizeNodeName(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return s || 'node';
}

/**
 * Claims this node's name in the cluster and remembers it in the data dir. A name is reserved by a
 * Lease in kube-system held by the node's uid. A name given explicitly (--node-name) that another
 * node holds is refused with a ConfigError; the default (the host name) gets the first free suffix
 * (-2, -3, …) instead, so several nodes on one machine just work. Later starts keep the stored
 * name unless another one is given.
 */
export async function claimNodeName(client: Client, dataDir: string, opts: { requested?: string; hostname: string; apiAddress: string; now: () => number }): Promise<string> {
  const file = join(dataDir, 'node-name.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stored) : undefined;
  const uid = stored?.uid ?? randomUUID();
  const explicit = opts.requested !== undefined && opts.requested !== stored?.name;
  if (explicit && sanitizeNodeName(opts.requested!) !== opts.requested) {
    throw new ConfigError(`--node-name "${opts.requested}" is not a valid node name: use lowercase letters, digits and "-" (at most 50)`);
  }
  const base = explicit ? opts.requested! : (stored?.name ?? sanitizeNodeName(opts.hostname));
  for (let n = 1; n <= 100; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (await tryClaim(client, name, uid, opts)) {
      writeFileSync(file, JSON.stringify({ name, uid }), { mode: 0o600 });
      return name;
    }
    if (explicit || stored?.name === name) {
      throw new ConfigError(`node name "${name}" is already taken by another node of this cluster (Lease ${LEASE_NAMESPACE}/${nodeNameLease(name)}); start with another --node-name`);
    }
  }
  throw new ConfigError(`no free node name from "${base}"; start with --node-name`);
}

/** True when the name is now held by uid (free, or already ours). */
async function tryClaim(client: Client, name: string, uid: string, opts: { apiAddress: string; now: () => number }): Promise<boolean> {
  const now = microTime(opts.now());
  const want = (cur?: KubeObject): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeNameLease(name),
      namespace: LEASE_NAMESPACE,
      labels: { [NODE_NAME_LABEL]: name },
      annotations: { [API_ADDRESS_ANNOTATION]: opts.apiAddress },
      ...(cur ? { resourceVersion: cur.metadata.resourceVersion } : {}),
    },
    spec: { holderIdentity: uid, acquireTime: (cur?.spec as { acquireTime?: string } | undefined)?.acquireTime ?? now, renewTime: now },
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    let cur: KubeObject | undefined;
    try {
      cur = await client.get(LEASES, LEASE_NAMESPACE, nodeNameLease(name));
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    try {
      if (!cur) await client.create(LEASES, LEASE_NAMESPACE, want());
      else if ((cur.spec as { holderIdentity?: string } | undefined)?.holderIdentity !== uid) return false;
      else await client.update(LEASES, LEASE_NAMESPACE, want(cur));
      return true;
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'Conflict')) throw err;
    }
  }
  return false;
}
