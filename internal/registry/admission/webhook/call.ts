import { request } from 'node:https';
import { isIP } from 'node:net';
import type { Loose } from '../lookup.js';
import type { Webhook } from './match.js';

/** Where to send a webhook's review: the URL shown in errors, the address to dial, the TLS server name. */
export interface WebhookTarget {
  url: string;
  host: string;
  port: number;
  path: string;
  servername: string;
}

/**
 * The target of clientConfig.url as given, or of clientConfig.service: `https://<name>.<namespace>.svc:<port><path>`
 * (the name the webhook's certificate must carry), dialled at a ready address of the Service's
 * Endpoints on the port that Service port maps to (kplane has no cluster network to route the
 * cluster IP). `endpointsOf` reads the Service and its Endpoints.
 */
export async function resolveTarget(w: Webhook, endpointsOf: (ns: string, name: string) => Promise<{ service?: Loose; endpoints?: Loose }>): Promise<WebhookTarget> {
  const cc = w.clientConfig;
  if (cc.url) {
    const u = new URL(cc.url);
    if (u.protocol !== 'https:') throw new Error(`webhook url ${cc.url} must use https`);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { url: cc.url, host, port: Number(u.port || 443), path: `${u.pathname}${u.search}`, servername: host };
  }
  const s = cc.service!;
  const port = s.port ?? 443;
  const path = s.path ?? '/';
  const dns = `${s.name}.${s.namespace}.svc`;
  const url = `https://${dns}:${port}${path}`;
  const { service, endpoints } = await endpointsOf(s.namespace, s.name);
  if (!service) throw new Error(`service "${s.name}" not found`);
  const sp = ((service.spec?.ports ?? []) as Loose[]).find((p) => p.port === port);
  if (!sp) throw new Error(`service ${s.namespace}/${s.name} has no port ${port}`);
  for (const subset of (endpoints?.subsets ?? []) as Loose[]) {
    const ep = ((subset.ports ?? []) as Loose[]).find((p) => (sp.name ? p.name === sp.name : true));
    const addr = ((subset.addresses ?? []) as Loose[])[0];
    if (ep && addr?.ip) return { url, host: addr.ip, port: ep.port, path, servername: dns };
  }
  throw new Error(`no endpoints available for service "${s.name}"`);
}

/**
 * POSTs the AdmissionReview and resolves with the parsed answer. Trusts only caBundle when it is set
 * (else the system's roots), checks the certificate against the target's server name, and gives up
 * after timeoutSeconds. Errors read as upstream's: `failed to call webhook: Post "<url>?timeout=10s": <why>`.
 */
export function postReview(t: WebhookTarget, caBundle: string | undefined, timeoutSeconds: number, review: Loose): Promise<unknown> {
  const body = Buffer.from(JSON.stringify(review));
  const shown = `Post "${t.url}${t.url.includes('?') ? '&' : '?'}timeout=${timeoutSeconds}s"`;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`failed to call webhook: ${shown}: ${why}`));
    const req = request(
      {
        host: t.host,
        port: t.port,
        path: t.path,
        method: 'POST',
        ...(t.servername && !isIP(t.servername) ? { servername: t.servername } : {}),
        ...(caBundle ? { ca: Buffer.from(caBundle, 'base64').toString('utf8') } : {}),
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length },
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(e.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`received invalid webhook response: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error('received invalid webhook response: not JSON'));
          }
        });
      },
    );
    req.on('error', (e: Error & { code?: string }) => fail(e.name === 'AbortError' || e.code === 'ABORT_ERR' ? 'context deadline exceeded' : e.message));
    req.end(body);
  });
}
