import { describe, expect, it } from 'vitest';
import { RaftNodeError, type RaftNodeErrorCode } from '../../raftnode/index.js';
import { StorageError } from '../../storage/index.js';
import { translateRaftError } from './raft-errors.js';

describe('translateRaftError', () => {
  const write = (code: RaftNodeErrorCode, message: string, indeterminate?: boolean) =>
    translateRaftError(new RaftNodeError(code, message, indeterminate === undefined ? {} : { indeterminate }), 'create') as StorageError;

  it('maps writes that certainly did not apply to Unavailable (retryable)', () => {
    for (const [code, msg] of [
      ['NoLeader', 'no leader accepted the write in time; it was not applied'],
      ['Dropped', 'proposal at index 7 was replaced by a new leader'],
      ['Stopped', 'raft node is stopped'],
    ] as const) {
      const e = write(code, msg);
      expect([e.code, e.message]).toEqual(['Unavailable', `create: ${msg}`]);
      expect((e.cause as RaftNodeError).code).toBe(code);
    }
  });

  it('maps writes of unknown outcome to Timeout, saying the write may or may not have been applied', () => {
    expect(write('LeaderChanged', 'leader changed before the write reached this node; it may or may not have been applied').message).toBe(
      'create: leader changed before the write reached this node; it may or may not have been applied',
    );
    expect(write('Timeout', 'write not applied in time; it may or may not have been applied').code).toBe('Timeout');
    const stoppedAfterSend = write('Stopped', 'raft node is stopped', true);
    expect([stoppedAfterSend.code, stoppedAfterSend.message]).toEqual(['Timeout', 'create: raft node is stopped; the write may or may not have been applied']);
  });

  it('maps every read failure to Unavailable: a read changes nothing, so a retry is always safe', () => {
    const e = translateRaftError(new RaftNodeError('Timeout', 'linearizable read: no read index from a leader in time'), 'read') as StorageError;
    expect([e.code, e.message]).toEqual(['Unavailable', 'read: linearizable read: no read index from a leader in time']);
  });

  it('passes other errors through', () => {
    const other = new Error('disk I/O error');
    expect(translateRaftError(other, 'create')).toBe(other);
  });
});
