import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network, dec, enc } from './testing/network.js';
import type { Message } from './types.js';

// Golden transcripts (etcd-raft interaction-test style): every delivered message of a scenario, one
// line each. Regenerate with RAFT_REWRITE=1 and review the diff before committing it.
const dir = new URL('./testdata/', import.meta.url).pathname;

function fmt(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`];
  if (m.type === 'app' || m.type === 'vote' || m.type === 'preVote') parts.push(`logTerm=${m.logTerm} index=${m.index}`);
  if (m.type === 'appResp' || m.type === 'readIndexResp') parts.push(`index=${m.index}`);
  if (m.commit) parts.push(`commit=${m.commit}`);
  if (m.reject) parts.push(`reject hint=${m.rejectHint}/${m.logTerm}`);
  if (m.noAck) parts.push('noAck');
  if (m.entries.length) parts.push(`entries=[${m.entries.map((e) => `${e.term}/${e.index}${e.type === 'confChange' ? ' cc' : ''}${e.data.length && e.type === 'normal' ? ` ${dec(e.data)}` : ''}`).join(', ')}]`);
  if (m.context?.length) parts.push(`ctx=${dec(m.context)}`);
  if (m.snapshot) parts.push(`snapshot=${m.snapshot.metadata.term}/${m.snapshot.metadata.index}`);
  return parts.join(' ');
}

function golden(name: string, run: (net: Network, note: (s: string) => void) => void): void {
  it(name, () => {
    const net = new Network([1, 2, 3]);
    const lines: string[] = [];
    let seen = 0;
    const flush = () => {
      for (; seen < net.delivered.length; seen++) lines.push(fmt(net.delivered[seen]!));
    };
    run(net, (s) => {
      flush();
      lines.push(`> ${s}`);
    });
    flush();
    const text = lines.join('\n') + '\n';
    const file = `${dir}${name}.txt`;
    if (process.env.RAFT_REWRITE || !existsSync(file)) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
}

describe('golden transcripts', () => {
  golden('election-and-propose', (net, note) => {
    note('campaign 1');
    net.campaign(1);
    note('propose a on 1');
    net.propose(1, 'a');
    note('propose b on follower 3 (forwarded)');
    net.propose(3, 'b');
  });

  golden('read-index-and-transfer', (net, note) => {
    net.campaign(1);
    note('read-index on follower 2');
    net.core(2).readIndex(enc('r1'));
    net.stabilize();
    note('transfer leadership 1 -> 3');
    net.core(1).transferLeader(3);
    net.stabilize();
  });

  golden('forget-leader', (net, note) => {
    net.campaign(1);
    note('leader 1 dies; 2 and 3 saw its connections close and forget it');
    net.isolate(1);
    net.core(2).forgetLeader();
    net.core(3).forgetLeader();
    note('2 campaigns at once (no election timeout): 3 grants the pre-vote and the vote');
    net.campaign(2);
    note('propose b on 3');
    net.propose(3, 'b');
  });

  golden('prevote-rejoin', (net, note) => {
    net.campaign(1);
    note('isolate 3 and let it time out');
    net.isolate(3);
    net.tick(3, 25);
    net.stabilize();
    note('heal; one heartbeat round');
    net.heal();
    net.tick(1, 1);
    net.stabilize();
  });
});
