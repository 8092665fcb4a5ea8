// Test helpers for the driver: a tiny replicated counter/KV state machine and a cluster of RaftNodes
// over the in-memory network. Tests only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeId } from '../../raft/index.js';
import { seededRand } from '../../util/index.js';
import { MemoryNetwork } from '../memory-transport.js';
import { RaftNode, type CommandCodec, type RaftNodeOptions, type ReplicatedStateMachine } from '../node.js';

export type KvCmd = { set: string; value: string } | { append: string; value: string };

/** A KV map applied in memory; its "durable" applied index is whatever it applied (no crash model). */
export class MapStateMachine implements ReplicatedStateMachine<KvCmd, string> {
  data = new Map<string, string>();
  index = 0;
  term = 0;
  applied: number[] = [];

  appliedIndex(): number {
    return this.index;
  }

  apply(index: number, term: number, cmds: KvCmd[]): string[] {
    if (index !== this.index + 1) throw new Error(`apply ${index} after ${this.index}`);
    this.index = index;
    this.term = term;
    this.applied.push(index);
    return cmds.map((c) => {
      const key = 'set' in c ? c.set : c.append;
      const v = 'set' in c ? c.value : (this.data.get(key) ?? '') + c.value;
      this.data.set(key, v);
      return v;
    });
  }

  async saveImage(path: string): Promise<{ index: number; term: number }> {
    writeFileSync(path, JSON.stringify({ index: this.index, term: this.term, data: [...this.data] }));
    return { index: this.index, term: this.term };
  }

  installImage(path: string | undefined, index: number, term: number): void {
    const img = path ? (JSON.parse(readFileSync(path, 'utf8')) as { data: [string, string][] }) : { data: [] };
    this.data = new Map(img.data);
    this.index = index;
    this.term = term;
  }
}

export const kvCodec: CommandCodec<KvCmd> = {
  encode: (c) => Buffer.from(JSON.stringify(c)),
  decode: (b) => JSON.parse(Buffer.from(b).toString('utf8')) as KvCmd,
};

export type TestNode = RaftNode<KvCmd, string> & { kv: MapStateMachine; dir: string };

/** A cluster of nodes in temp folders over one MemoryNetwork, with fast ticks. */
export class TestCluster {
  readonly net = new MemoryNetwork();
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly root = mkdtempSync(join(tmpdir(), 'kplane-raftnode-'));
  private seed = 1;

  constructor(private readonly defaults: Partial<RaftNodeOptions<KvCmd, string>> = {}) {}

  dir(id: NodeId): string {
    return join(this.root, `n${id}`);
  }

  /** Starts node `id` (bootstrap = founding members), reusing its folder if it ran before. */
  start(id: NodeId, bootstrap?: NodeId[], opts: Partial<RaftNodeOptions<KvCmd, string>> = {}, sm = new MapStateMachine()): TestNode {
    const node = new RaftNode<KvCmd, string>({
      id,
      dataDir: this.dir(id),
      stateMachine: sm,
      codec: kvCodec,
      transport: this.net.transport(id),
      bootstrap: bootstrap ? new Map(bootstrap.map((n) => [n, `mem://${n}`])) : undefined,
      rand: seededRand(this.seed++),
      tickMs: 10,
      electionTicks: 10,
      ...this.defaults,
      ...opts,
    }) as TestNode;
    node.kv = sm;
    node.dir = this.dir(id);
    node.start();
    this.nodes.set(id, node);
    return node;
  }

  async leader(timeoutMs = 5000): Promise<TestNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const n of this.nodes.values()) if (n.isLeader()) return n;
      if (Date.now() > deadline) throw new Error('no leader');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(id: NodeId, transfer = false): Promise<void> {
    const n = this.nodes.get(id);
    this.nodes.delete(id);
    await n?.stop({ transferLeadership: transfer });
  }

  /** kill -9 of node `id`: its connections close at once (peers are told), nothing is handed over. */
  async kill(id: NodeId): Promise<void> {
    this.net.kill(id);
    await this.stop(id, false);
  }

  async close(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stop(id);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
