import { describe, expect, it } from 'vitest';
import { RaftNodeError, isRaftNodeError } from './errors.js';
import { ProposalTracker } from './proposals.js';

const settle = () => new Promise((r) => setImmediate(r));

function tracker() {
  const t = new ProposalTracker<string, string>(1);
  const proposed: { id: number; cmds: string[] }[] = [];
  const take = () => t.takeBatch(10, (id, cmds) => (proposed.push({ id, cmds }), 'ok'));
  return { t, proposed, take };
}

describe('ProposalTracker', () => {
  it('a batch the worker core refused before sending goes back to the queue and completes under the next leader', async () => {
    const { t, proposed, take } = tracker();
    const p = [t.enqueue('a', 1000), t.enqueue('b', 1000)];
    take();
    t.requeue(proposed[0]!.id);
    expect(t.queued).toBe(2);
    expect(t.pending).toBe(0);
    take();
    expect(proposed[1]!.cmds).toEqual(['a', 'b']);
    t.complete(proposed[1]!.id, ['A', 'B']);
    expect(await Promise.all(p)).toEqual(['A', 'B']);
  });

  it('never requeues a batch already in the log (it may commit)', async () => {
    const { t, proposed, take } = tracker();
    const p = t.enqueue('a', 1000);
    take();
    t.seen(proposed[0]!.id, 5, 2);
    t.requeue(proposed[0]!.id);
    expect(t.queued).toBe(0);
    t.appliedThrough(5);
    await expect(p).rejects.toSatisfy((e) => isRaftNodeError(e, 'Dropped'));
  });

  it('a leader change fails forwarded batches not yet in the log as indeterminate, and keeps the others', async () => {
    const { t, proposed, take } = tracker();
    const lost = t.enqueue('a', 1000);
    take();
    const inLog = t.enqueue('b', 1000);
    take();
    t.seen(proposed[1]!.id, 7, 3);
    t.leaderChanged();
    await expect(lost).rejects.toSatisfy((e) => isRaftNodeError(e, 'LeaderChanged') && /may or may not/.test((e as Error).message));
    expect(t.pending).toBe(1);
    t.complete(proposed[1]!.id, ['B']);
    expect(await inLog).toBe('B');
  });

  it('queued commands wait for a leader until their deadline', async () => {
    const { t } = tracker();
    const p = t.enqueue('a', 100);
    t.expire(50);
    await settle();
    expect(t.queued).toBe(1);
    t.expire(100);
    // Never handed to a leader: certainly not applied, so retryable.
    await expect(p).rejects.toSatisfy((e) => isRaftNodeError(e, 'NoLeader') && !(e as RaftNodeError).indeterminate);
  });

  it('on stop, fails queued commands as not applied and batches already handed on as indeterminate', async () => {
    const { t, take } = tracker();
    const sent = t.enqueue('a', 1000);
    take();
    const queued = t.enqueue('b', 1000);
    t.failAll(new RaftNodeError('Stopped', 'raft node is stopped'));
    await expect(queued).rejects.toSatisfy((e) => isRaftNodeError(e, 'Stopped') && !(e as RaftNodeError).indeterminate);
    await expect(sent).rejects.toSatisfy((e) => isRaftNodeError(e, 'Stopped') && (e as RaftNodeError).indeterminate && /may or may not/.test((e as Error).message));
  });
});
