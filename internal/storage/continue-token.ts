import { StorageError } from './errors.js';

/**
 * Continue tokens for paged lists. The token is opaque to clients; inside it is base64url JSON
 * `{"v":"meta.k8s.io/v1","rv":<snapshot revision>,"start":"<next key, relative to the list prefix>"}`,
 * the same information upstream's token carries. rv -1 means "continue at the latest revision"
 * (handed out with a 410 Expired, when the pinned snapshot was compacted).
 */
export interface ContinuePosition {
  /** Snapshot revision to read at; -1 = latest. */
  revision: number;
  /** Absolute key the next page starts at (inclusive). */
  startKey: string;
}

const VERSION = 'meta.k8s.io/v1';

/** The key right after `key` in byte order: where the page after a page ending at `key` starts. */
export const keyAfter = (key: string): string => key + '\u0000';

/** Token for a next page that starts at startKey (inclusive), read at revision (-1 = latest). */
export function encodeContinue(prefix: string, startKey: string, revision: number): string {
  if (!startKey.startsWith(prefix) || startKey === prefix) {
    throw new StorageError('InvalidArgument', `continue key ${JSON.stringify(startKey)} is not inside prefix ${prefix}`);
  }
  const start = startKey.slice(prefix.length);
  return Buffer.from(JSON.stringify({ v: VERSION, rv: revision, start }), 'utf8').toString('base64url');
}

/** Decodes a token for a list under prefix; anything malformed is StorageError InvalidArgument. */
export function decodeContinue(token: string, prefix: string): ContinuePosition {
  const bad = (why: string) => new StorageError('InvalidArgument', `continue key is not valid: ${why}`);
  let parsed: unknown;
  try {
    // Accept both base64url (ours) and standard base64 padding variants; Buffer decodes either.
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not base64 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad('not an object');
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== VERSION) throw bad(`unsupported version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv === 0 || rv < -1) throw bad('incorrect encoded start resourceVersion');
  if (typeof start !== 'string' || start.length === 0) throw bad('encoded start key is empty');
  // Relative keys must not climb out of the prefix (upstream rejects the same).
  if (start.split('/').some((seg) => seg === '..' || seg === '.')) throw bad('path traversal in start key');
  return { revision: rv, startKey: prefix + start };
}
