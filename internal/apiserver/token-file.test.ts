import { describe, expect, it } from 'vitest';
import { parseTokenFile, tokenFileAuthenticator } from './token-file.js';

describe('--token-auth-file', () => {
  const users = parseTokenFile('# comment\nt1,alice,uid-a,"dev,ops"\n\nt2,system:node:n1,uid-n,system:nodes\nt3,bob,uid-b\n');
  it('parses token,user,uid,"groups"', () => {
    expect(users.get('t1')).toEqual({ name: 'alice', uid: 'uid-a', groups: ['dev', 'ops'] });
    expect(users.get('t2')).toEqual({ name: 'system:node:n1', uid: 'uid-n', groups: ['system:nodes'] });
    expect(users.get('t3')).toEqual({ name: 'bob', uid: 'uid-b', groups: [] });
  });
  it('authenticates listed tokens only', () => {
    const auth = tokenFileAuthenticator(users);
    expect(auth('t1')).toMatchObject({ name: 'alice' });
    expect(auth('t9')).toBeUndefined();
  });
  it('names the malformed line', () => {
    expect(() => parseTokenFile('ok,a,b\nbad\n')).toThrow('line 2');
  });
});
