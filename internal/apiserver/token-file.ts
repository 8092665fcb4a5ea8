import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../registry/index.js';
import type { TokenAuthenticator } from './auth.js';

/** One CSV field list per line; a quoted field may hold commas (the groups column). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * Parses upstream's --token-auth-file: `token,user,uid[,"group1,group2"]` per line; blank lines and
 * lines starting with # are skipped. Throws with the line number on a malformed line.
 */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const [token, name, uid, groups] = csvFields(line);
    if (!token || !name || uid === undefined) throw new Error(`token file line ${i + 1}: want token,user,uid[,"groups"]`);
    const gs = groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
    users.set(token, { name, uid, groups: gs });
  });
  return users;
}

/** Authenticates bearer tokens listed in a static token file. */
export function tokenFileAuthenticator(users: Map<string, UserInfo>): TokenAuthenticator {
  const entries = [...users.entries()].map(([t, u]) => [Buffer.from(t), u] as const);
  return (token) => {
    const given = Buffer.from(token);
    // Compared in constant time against every entry, so timing tells nothing about a near miss.
    let found: UserInfo | undefined;
    for (const [t, u] of entries) if (t.length === given.length && timingSafeEqual(t, given)) found = u;
    return found;
  };
}
