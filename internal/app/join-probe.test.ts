import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JoinProbeError, probeJoiner, serveJoinProbe } from './join-probe.js';
import { createCA, createCsr, issueCert } from './pki.js';

const ca = createCA('probe-test-ca');
const member = issueCert(ca, { subject: { commonName: 'kplane-node-1' }, client: true, server: true, ips: ['127.0.0.1'] });
const joiner = createCsr({ commonName: 'kplane-join' });

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function probeError(p: Promise<void>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JoinProbeError);
  return (err as Error).message;
}

describe('join reachability probe', () => {
  it('passes when the joiner serves its CSR key at the advertised address and accepts the cluster CA', async () => {
    const port = await freePort();
    open.push(await serveJoinProbe({ host: '127.0.0.1', port }, joiner.keyPem, ca.certPem));
    await expect(probeJoiner(`https://127.0.0.1:${port}`, joiner.csrPem, member)).resolves.toBeUndefined();
  });

  it('names the address and "refused" when nothing listens there', async () => {
    const port = await freePort();
    const msg = await probeError(probeJoiner(`https://127.0.0.1:${port}`, joiner.csrPem, member));
    expect(msg).toContain(`https://127.0.0.1:${port}`);
    expect(msg).toMatch(/ECONNREFUSED.*refused/);
  });

  it('refuses another process answering at the address (not the key of the CSR)', async () => {
    const port = await freePort();
    const other = createCsr({ commonName: 'someone-else' });
    open.push(await serveJoinProbe({ host: '127.0.0.1', port }, other.keyPem, ca.certPem));
    expect(await probeError(probeJoiner(`https://127.0.0.1:${port}`, joiner.csrPem, member))).toMatch(/another process answered/);
  });

  it('fails a member of another cluster in the handshake (the joiner asks for the pinned CA)', async () => {
    const port = await freePort();
    open.push(await serveJoinProbe({ host: '127.0.0.1', port }, joiner.keyPem, ca.certPem));
    const stranger = issueCert(createCA('other-ca'), { subject: { commonName: 'kplane-node-1' }, client: true });
    expect(await probeError(probeJoiner(`https://127.0.0.1:${port}`, joiner.csrPem, stranger))).toMatch(/could not reach the new node.*(TLS|certificate)/);
  });

  it('times out on a listener that never completes TLS', async () => {
    // It reads (so it sees the client go) but never answers the TLS handshake.
    const silent: Server = createServer((s) => s.resume()).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    open.push({ close: () => new Promise((r) => silent.close(r)) });
    const port = (silent.address() as { port: number }).port;
    const msg = await probeError(probeJoiner(`https://127.0.0.1:${port}`, joiner.csrPem, member, 300));
    expect(msg).toMatch(/timeout/);
  });

  it('the joiner fails at once, naming --peer-listen, when its peer port is taken', async () => {
    const port = await freePort();
    const taken = createServer().listen(port, '127.0.0.1');
    await once(taken, 'listening');
    open.push({ close: () => new Promise((r) => taken.close(r)) });
    await expect(serveJoinProbe({ host: '127.0.0.1', port }, joiner.keyPem, ca.certPem)).rejects.toThrow(/already in use.*--peer-listen/);
  });
});
