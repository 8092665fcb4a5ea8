// Joins that cannot silently hang (real processes on loopback): the README's three-node trial with
// no --advertise-address, a join with a wrong advertised address refused within seconds with the
// address and the flag to fix (membership unchanged, token still good), and each first-run mistake
// exiting at once with what to do.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { joinCluster } from '../../internal/app/join.js';
import { adminCreds, exec, HaNode, nodeStatus, waitFor, type ExecResult } from './ha-harness.js';
import { BIN, httpsGet } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'kplane-joins-'));
const nodes: HaNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill9()));
  rmSync(dir, { recursive: true, force: true });
});

/** A free port whose successor is free too (the default peer port is the API port + 1). */
async function freePair(): Promise<number> {
  for (;;) {
    const a = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => a.once('listening', r));
    const port = (a.address() as { port: number }).port;
    const b = createServer().listen(port + 1, '127.0.0.1');
    const ok = await new Promise<boolean>((r) => {
      b.once('listening', () => r(true));
      b.once('error', () => r(false));
    });
    await Promise.all([new Promise((r) => a.close(r)), ok ? new Promise((r) => b.close(r)) : Promise.resolve()]);
    if (ok) return port;
  }
}

async function node(name: string): Promise<HaNode> {
  const port = await freePair();
  const n = new HaNode(name, join(dir, name), port, port + 1, join(dir, `${name}.log`));
  nodes.push(n);
  return n;
}

async function token(founder: HaNode): Promise<{ token: string; out: string }> {
  const add = await exec(BIN, ['add-node', '--data-dir', founder.dataDir]);
  expect(add.code, add.stderr).toBe(0);
  return { token: add.stdout.split('\n')[1]!.trim(), out: add.stdout };
}

/** `kplane server ARGS` that must exit on its own (the exec timeout kills a hang, and the test fails). */
async function mustExit(args: string[]): Promise<ExecResult & { text: string }> {
  const r = await exec(BIN, ['server', ...args], { timeoutMs: 120_000 });
  // oclif folds long messages over lines: compare on one line.
  return { ...r, text: `${r.stdout}\n${r.stderr}`.replace(/\s*\n\s*/g, ' ') };
}

const members = (st: { voters: number[]; learners: number[] }) => [...st.voters, ...st.learners].sort();

let n1: HaNode;
let n2: HaNode;

describe('joins on one machine with --listen 127.0.0.1 and no --advertise-address', () => {
  // Generous bounds: node starts (keys, certificates) are slow on a loaded 2-core machine.
  it('form a cluster: each node advertises its --listen address, status shows it', { timeout: 300_000 }, async () => {
    n1 = await node('n1');
    n1.start(['--listen', `127.0.0.1:${n1.apiPort}`], { bare: true });
    await n1.waitReady(180_000);
    const status = await exec(BIN, ['status', '--data-dir', n1.dataDir]);
    expect(status.stdout).toContain(`advertises: https://127.0.0.1:${n1.peerPort}`);
    const { token: t, out } = await token(n1);
    expect(out).toMatch(/valid for 1h, until \S+Z; single use/);
    n2 = await node('n2');
    n2.start(['--listen', `127.0.0.1:${n2.apiPort}`, '--join', n1.url, '--token', t], { bare: true });
    await n2.waitReady(180_000);
    const st = await waitFor('two voters', 30_000, async () => {
      const s = await nodeStatus(adminCreds(n1.dataDir), n1);
      return s.voters.length === 2 ? s : undefined;
    });
    expect(st.members[String(st.voters[1])]).toBe(`https://127.0.0.1:${n2.peerPort}`);
  });

  it('a wrong --advertise-address fails the join at once, names the address and the flag, and changes nothing; the same token then works', { timeout: 300_000 }, async () => {
    const before = members(await nodeStatus(adminCreds(n1.dataDir), n1));
    const { token: t } = await token(n1);
    const n3 = await node('n3');
    // 127.0.0.2 is this machine too, but the node listens on 127.0.0.1 only: the cluster is refused there.
    const r = await mustExit(['--data-dir', n3.dataDir, '--listen', `127.0.0.1:${n3.apiPort}`, '--advertise-address', '127.0.0.2', '--join', n1.url, '--token', t]);
    expect(r.code).not.toBe(0);
    expect(r.text).toContain(`advertised peer address https://127.0.0.2:${n3.peerPort}`);
    expect(r.text).toContain('ECONNREFUSED');
    expect(r.text).toContain('--advertise-address');
    expect(r.text).toContain('the token was not used');
    expect(members(await nodeStatus(adminCreds(n1.dataDir), n1))).toEqual(before);
    expect((await httpsGet(n1.apiPort, '/readyz')).status).toBe(200);
    rmSync(n3.dataDir, { recursive: true, force: true });
    n3.start(['--listen', `127.0.0.1:${n3.apiPort}`, '--join', n1.url, '--token', t], { bare: true });
    await n3.waitReady(180_000);
    await waitFor('three voters', 30_000, async () => ((await nodeStatus(adminCreds(n1.dataDir), n1)).voters.length === 3 ? true : undefined));
  });
});

// Bounds are generous for a loaded machine; unloaded, each of these exits in a few seconds.
describe('first-run mistakes exit within seconds and say what to do', { timeout: 300_000 }, () => {
  it('--join at a URL where nothing answers', async () => {
    const { token: t } = await token(n1);
    const r = await mustExit(['--data-dir', join(dir, 'x1'), '--listen', `127.0.0.1:${await freePair()}`, '--join', 'https://127.0.0.1:1', '--token', t]);
    expect(r.code).not.toBe(0);
    expect(r.text).toContain('cannot reach the cluster at https://127.0.0.1:1 (--join): ECONNREFUSED');
  });

  it('a token that pins another CA, and a token already used', async () => {
    const other = `K10.${'a'.repeat(64)}.abcdef.${'b'.repeat(16)}`;
    const r = await mustExit(['--data-dir', join(dir, 'x2'), '--listen', `127.0.0.1:${await freePair()}`, '--join', n1.url, '--token', other]);
    expect(r.code).not.toBe(0);
    expect(r.text).toContain('has another CA than the token names');
    const { token: t } = await token(n1);
    const first = await node('x3');
    first.start(['--listen', `127.0.0.1:${first.apiPort}`, '--join', n1.url, '--token', t], { bare: true });
    await first.waitReady(180_000);
    const again = await mustExit(['--data-dir', join(dir, 'x4'), '--listen', `127.0.0.1:${await freePair()}`, '--join', n1.url, '--token', t]);
    expect(again.code).not.toBe(0);
    expect(again.text).toContain('join token unknown, expired or already used');
  });

  it('ports already taken: --listen, and the peer port', async () => {
    const api = await mustExit(['--data-dir', join(dir, 'x5'), '--listen', `127.0.0.1:${n1.apiPort}`]);
    expect(api.code).not.toBe(0);
    expect(api.text).toContain(`127.0.0.1:${n1.apiPort} (--listen) is already in use by another process`);
    const peer = await mustExit(['--data-dir', join(dir, 'x6'), '--listen', `127.0.0.1:${await freePair()}`, '--peer-listen', `127.0.0.1:${n1.peerPort}`]);
    expect(peer.code).not.toBe(0);
    expect(peer.text).toContain(`127.0.0.1:${n1.peerPort} (--peer-listen) is already in use`);
  });

  it('a member that cannot be reached is named, with the error, in kplane status and /readyz?verbose', async () => {
    const id2 = (await nodeStatus(adminCreds(n2.dataDir), n2)).id;
    await n2.stop();
    await waitFor('n1 to see n2 unreachable', 60_000, async () => ((await nodeStatus(adminCreds(n1.dataDir), n1)).unreachable?.[String(id2)] ? true : undefined));
    const status = await exec(BIN, ['status', '--data-dir', n1.dataDir]);
    expect(status.stdout).toMatch(new RegExp(`unreachable: .*ECONNREFUSED.* since \\d{4}-`));
    const ready = await httpsGet(n1.apiPort, '/readyz?verbose');
    expect(ready.body).toContain(`cannot reach node ${id2} at https://127.0.0.1:${n2.peerPort}`);
  });

  it('a data dir of another cluster started with --join', async () => {
    const other = `K10.${'c'.repeat(64)}.cdefab.${'d'.repeat(16)}`;
    const r = await mustExit(['--data-dir', n2.dataDir, '--listen', `127.0.0.1:${n2.apiPort}`, '--join', n1.url, '--token', other]);
    expect(r.code).not.toBe(0);
    expect(r.text).toContain('holds a node of another cluster');
  });

  it('a clock far off: the joiner refuses before it asks for certificates', async () => {
    const { token: t } = await token(n1);
    const err = await joinCluster({ dataDir: join(dir, 'x7'), url: n1.url, token: t, peerAddress: 'https://127.0.0.1:1', clock: () => Date.now() - 3_600_000 }).catch((e: Error) => e);
    expect(String(err)).toMatch(/clock is 60 minutes behind the cluster's .*NTP/);
  });
});
