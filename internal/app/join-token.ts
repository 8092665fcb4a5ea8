import { existsSync, readFileSync } from 'node:fs';
import { isApiError, type KubeObject } from '../api/index.js';
import { bootstrapTokenSecret, bootstrapTokenUser, generateBootstrapToken, BOOTSTRAP_NAMESPACE, BOOTSTRAP_SECRET_PREFIX, type Handler } from '../registry/index.js';
import { ConfigError } from '../util/index.js';
import { adminCall } from './admin-call.js';
import { pkiPaths } from './credentials.js';
import { holdsSingleNodeStore } from './datastore.js';
import { certFingerprint } from './pki.js';

// Join tokens are bootstrap tokens: `kplane add-node` stores a Secret bootstrap-token-<id> in
// kube-system (with its expiry, so the token cleaner deletes it when it runs out) and prints
// K10.<SHA-256 of the cluster CA certificate>.<id>.<secret>. The CA fingerprint lets the joining
// node check it talks to this cluster before it sends the secret; "<id>.<secret>" is the bootstrap
// token, revoked by deleting its Secret (`kubectl -n kube-system delete secret bootstrap-token-<id>`).

const TOKEN_PREFIX = 'K10';
/** The extra group of join tokens: only a bootstrap token in it admits a node. */
export const JOIN_TOKEN_GROUP = 'system:bootstrappers:kplane:default-node-token';
/** Label on a join token's Secret: single-use (deleted by the join it admits) or reusable. */
export const JOIN_TOKEN_LABEL = 'kplane.io/join-token';

export interface JoinToken {
  fingerprint: string;
  id: string;
  secret: string;
}

/** The parts of a join token (throws ConfigError on a malformed one). */
export function parseJoinToken(token: string): JoinToken {
  const [prefix, fingerprint, id, secret, ...rest] = token.split('.');
  if (prefix !== TOKEN_PREFIX || rest.length || !/^[0-9a-f]{64}$/.test(fingerprint ?? '') || !/^[a-z0-9]{6}$/.test(id ?? '') || !/^[a-z0-9]{16}$/.test(secret ?? '')) {
    throw new ConfigError('malformed join token (want K10.<ca-sha256>.<token-id>.<token-secret>, as printed by kplane add-node)');
  }
  return { fingerprint: fingerprint!, id: id!, secret: secret! };
}

/** The Secret a join token is stored as, and the token text. */
export function joinTokenSecret(caCertPem: string, ttlMs: number, now: number, reusable: boolean): { token: string; secret: KubeObject } {
  const { id, secret } = generateBootstrapToken();
  const obj = bootstrapTokenSecret({
    id,
    secret,
    expiresAt: now + ttlMs,
    description: `kplane add-node join token (${reusable ? 'reusable' : 'single use'})`,
    extraGroups: [JOIN_TOKEN_GROUP],
    labels: { [JOIN_TOKEN_LABEL]: reusable ? 'reusable' : 'single-use' },
  });
  return { token: `${TOKEN_PREFIX}.${certFingerprint(caCertPem)}.${id}.${secret}`, secret: obj };
}

/**
 * A join token for `kplane add-node`, valid for ttlMs: stored through the running server on this
 * data dir (as its admin) as a bootstrap-token Secret. Runs on a node holding the CA key.
 */
export async function createJoinToken(dataDir: string, ttlMs: number, now = Date.now(), opts: { reusable?: boolean; server?: string } = {}): Promise<string> {
  const p = pkiPaths(dataDir);
  if (!existsSync(p.caKey)) throw new ConfigError(`${dataDir} holds no CA key: run add-node on the first node of the cluster`);
  if (holdsSingleNodeStore(dataDir)) {
    throw new ConfigError(`${dataDir} runs the single-node sqlite datastore, which other nodes cannot join (nodes join a node started with the default datastore, raftsqlite)`);
  }
  const { token, secret } = joinTokenSecret(readFileSync(p.caCert, 'utf8'), ttlMs, now, !!opts.reusable);
  await adminCall(dataDir, opts.server, 'POST', `/api/v1/namespaces/${BOOTSTRAP_NAMESPACE}/secrets`, secret);
  return token;
}

/** Reads and deletes join token Secrets as the apiserver (consistent reads: a token just made is seen). */
export interface JoinTokenStore {
  get(name: string): Promise<KubeObject | undefined>;
  /** Deletes the Secret if it is still at its resourceVersion; false when it changed or is gone. */
  delete(secret: KubeObject): Promise<boolean>;
}

/** The token's Secret when it admits a node now (a valid bootstrap token in the join group), else undefined. */
export async function validJoinToken(store: JoinTokenStore, t: JoinToken, nowMs: number): Promise<KubeObject | undefined> {
  const secret = await store.get(`${BOOTSTRAP_SECRET_PREFIX}${t.id}`);
  const user = bootstrapTokenUser(t, secret, nowMs);
  return user?.groups.includes(JOIN_TOKEN_GROUP) ? secret : undefined;
}

/** Uses the token for one join: a single-use token's Secret is deleted (one of two racing joins wins). */
export async function consumeJoinToken(store: JoinTokenStore, t: JoinToken, nowMs: number): Promise<boolean> {
  const secret = await validJoinToken(store, t, nowMs);
  if (!secret) return false;
  if (secret.metadata.labels?.[JOIN_TOKEN_LABEL] === 'reusable') return true;
  return store.delete(secret);
}

/** The JoinTokenStore of a registry handler, acting as the apiserver. */
export function handlerJoinTokens(handler: () => Handler): JoinTokenStore {
  const base = { user: { name: 'system:apiserver', groups: ['system:masters'] }, group: '', version: 'v1', resource: 'secrets', namespace: BOOTSTRAP_NAMESPACE };
  return {
    async get(name) {
      try {
        return (await handler().handle({ ...base, name, verb: 'get', params: {} })).body as KubeObject;
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        throw err;
      }
    },
    async delete(secret) {
      const { name, uid, resourceVersion } = secret.metadata;
      try {
        await handler().handle({ ...base, name, verb: 'delete', params: { preconditions: { uid, resourceVersion } } });
        return true;
      } catch (err) {
        if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return false;
        throw err;
      }
    },
  };
}
