// A join proves reachability both ways before the membership changes. The joiner already reached
// the cluster (it sent the join); before the member handling the join records the new node, it
// dials the joiner's advertised peer address over TLS. The joiner serves that address during the
// join with a self-signed certificate for its CSR's key and asks for a client certificate from the
// cluster CA, so each side authenticates the other: the member sees the key it is about to sign,
// the joiner sees a node of the cluster it pinned. A wrong --advertise-address or --peer-listen then
// fails the join within seconds, with nothing recorded, instead of adding a member nobody can reach.

import { createPublicKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:tls';
import { listenError } from './listen-check.js';
import { csrPublicKeyPem, selfSignedCert } from './pki.js';

/** How long the member tries to reach the joiner. */
export const PROBE_TIMEOUT_MS = 5000;

/** What the joiner's probe listener says to a member it accepted. */
const ACCEPTED = 'kplane-join-ok\n';

/** Why a peer address could not be reached, in the words a user acts on. */
export class JoinProbeError extends Error {}

/**
 * Joiner side: serves the peer listen address for the duration of the join. Fails at once, with the
 * flag to change, when the address cannot be bound (taken, or not an address of this machine).
 */
export async function serveJoinProbe(listen: { host: string; port: number }, keyPem: string, clusterCaPem: string): Promise<{ close(): Promise<void> }> {
  // Only a client the cluster CA vouches for reaches this callback; the word tells it so (in TLS 1.3
  // the client's handshake completes before the server has checked the client's certificate).
  const server: Server = createServer({ key: keyPem, cert: selfSignedCert(keyPem, 'kplane-join'), ca: clusterCaPem, requestCert: true, rejectUnauthorized: true }, (socket) =>
    socket.end(ACCEPTED),
  );
  // A handshake that fails (not the cluster's CA) just ends that connection.
  server.on('tlsClientError', () => undefined);
  server.listen(listen.port, listen.host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    throw listenError(err, listen.host, listen.port, '--peer-listen');
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/**
 * Member side: opens a TLS connection to the joiner's advertised peer address with this node's
 * certificate, and checks that the joiner presents the key of its CSR. Throws JoinProbeError naming
 * the address and what failed (refused, timeout, TLS, someone else answering).
 */
export async function probeJoiner(peerAddress: string, csrPem: string, client: { certPem: string; keyPem: string }, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const url = new URL(peerAddress);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  const want = createPublicKey(csrPublicKeyPem(csrPem)).export({ type: 'spki', format: 'der' });
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (what: string) => {
      socket.destroy();
      if (settled) return;
      settled = true;
      reject(new JoinProbeError(`this cluster could not reach the new node at its advertised peer address ${peerAddress}: ${what}`));
    };
    const socket = connect({ host, port, key: client.keyPem, cert: client.certPem, rejectUnauthorized: false, servername: isIp(host) ? undefined : host });
    const timer = setTimeout(() => fail(`no TLS connection within ${timeoutMs / 1000} s (timeout: a firewall, or an address not routed from here)`), timeoutMs);
    let said = '';
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw;
      const got = raw ? new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' }) : undefined;
      if (!got || Buffer.compare(got, want) !== 0) {
        clearTimeout(timer);
        fail('another process answered there, not the joining node (TLS: wrong key)');
      }
    });
    socket.on('data', (d: Buffer) => {
      said += d.toString('utf8');
      if (said !== ACCEPTED) return;
      clearTimeout(timer);
      settled = true;
      socket.end();
      resolve();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      fail("the new node closed the connection without accepting this cluster's certificate (TLS: does it pin another cluster's CA?)");
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code === 'ECONNREFUSED' ? `connect ECONNREFUSED ${host}:${port} (refused: nothing listens there)` : `${err.code ?? 'TLS'}: ${err.message}`);
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
