import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { ConfigError } from '../util/index.js';
import { pkiPaths } from './credentials.js';

/**
 * One HTTPS call to the local server as its admin (the data dir's admin certificate); the server URL
 * comes from DATA_DIR/kubeconfig unless given. Resolves the JSON answer of a 2xx; else a ConfigError
 * naming the URL and the answer (or why the server could not be reached).
 */
export async function adminCall<T = Record<string, unknown>>(dataDir: string, server: string | undefined, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const p = pkiPaths(dataDir);
  const url = server ?? serverFromKubeconfig(p.kubeconfig);
  const [ca, cert, key] = [p.caCert, p.adminCert, p.adminKey].map((f) => readFileSync(f, 'utf8'));
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const headers = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
    const req = httpsRequest(new URL(path, url), { method, ca, cert, key, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 500;
        if (code < 200 || code >= 300) return reject(new ConfigError(`${url}${path}: HTTP ${code}: ${text.slice(0, 300)}`));
        resolve(JSON.parse(text) as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ECONNREFUSED' ? new ConfigError(`cannot reach the server at ${url} (${err.code}): start kplane server with this --data-dir first, or pass --server URL`) : err),
    );
    req.end(payload);
  });
}

/** The server URL of the admin kubeconfig the server wrote. */
export function serverFromKubeconfig(path: string): string {
  // The server writes its kubeconfig once it serves: before that there is no URL to hand out.
  if (!existsSync(path)) throw new ConfigError(`${path} does not exist yet: start kplane server with this --data-dir first (it writes the kubeconfig once it serves), or pass --server URL`);
  const m = /server:\s*(\S+)/.exec(readFileSync(path, 'utf8'));
  return m ? m[1]!.replace(/^["']|["']$/g, '') : 'https://127.0.0.1:6443';
}
