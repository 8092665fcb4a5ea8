import { describe, expect, it } from 'vitest';
import { AUTHZ_PENDING, AuthzSession, authorizerValue, compile, type AuthzCheck, type Program } from './index.js';

const VARS = ['authorizer'];
function program(src: string): Program {
  const r = compile(src, VARS);
  if ('error' in r) throw new Error(r.error);
  return r.program;
}

/** Evaluates as the admission plugin does: rerun until every check it asked is answered. */
async function evaluate(src: string, decide: (c: AuthzCheck) => boolean, user = { name: 'alice', groups: ['dev'] }) {
  const session = new AuthzSession(user);
  const asked: AuthzCheck[] = [];
  const vars = { authorizer: authorizerValue(session, { group: 'apps', resource: 'deployments', subresource: '', namespace: 'team', name: 'web' }) };
  for (let round = 0; round < 10; round++) {
    const r = program(src).eval(vars, { used: 0, limit: 1_000_000 });
    if (session.pending.size === 0) return { r, asked };
    await session.resolve(async (c) => {
      asked.push(c);
      return { allowed: decide(c), reason: decide(c) ? 'RBAC: allowed' : '' };
    });
  }
  throw new Error('did not settle');
}

describe('CEL authorizer library', () => {
  it('a resource check asks for the requester with group, resource, namespace and name', async () => {
    const { r, asked } = await evaluate("authorizer.group('apps').resource('deployments').namespace('team').name('web').check('delete').allowed()", (c) => c.verb === 'delete');
    expect(r).toEqual({ value: true });
    expect(asked).toEqual([{ user: 'alice', groups: ['dev'], verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'team', name: 'web' }]);
  });

  it('requestResource is the request own resource; reason and errored read the decision', async () => {
    const { r, asked } = await evaluate("authorizer.requestResource.check('update').allowed() ? authorizer.requestResource.check('update').reason() : 'no'", () => true);
    expect(r).toEqual({ value: 'RBAC: allowed' });
    expect(asked).toHaveLength(1); // the same check twice is asked once
    expect(asked[0]).toMatchObject({ group: 'apps', resource: 'deployments', namespace: 'team', name: 'web', verb: 'update' });
  });

  it('serviceAccount asks for that account; path checks a non-resource URL; a denied check is not allowed', async () => {
    const { r, asked } = await evaluate("!authorizer.serviceAccount('kube-system', 'bot').group('').resource('secrets').check('list').allowed() && authorizer.path('/healthz').check('get').allowed()", (c) => c.path === '/healthz');
    expect(r).toEqual({ value: true });
    expect(asked.map((c) => [c.user, c.groups, c.path ?? c.resource])).toEqual([
      ['system:serviceaccount:kube-system:bot', ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], 'secrets'],
      ['alice', ['dev'], '/healthz'],
    ]);
  });

  it('upstream errors: empty resource or path, a bad service account name; maps are not authorizers', async () => {
    expect((await evaluate("authorizer.group('').resource(' ').check('get').allowed()", () => true)).r).toEqual({ error: 'resource must not be empty' });
    expect((await evaluate("authorizer.path('').check('get').allowed()", () => true)).r).toEqual({ error: 'path must not be empty' });
    expect((await evaluate("authorizer.serviceAccount('ns', 'Bad!').group('').resource('pods').check('get').allowed()", () => true)).r).toEqual({ error: 'Invalid service account name' });
    expect((await evaluate("{'a': 1}.group('x') == null", () => true)).r).toMatchObject({ error: expect.stringContaining('no such overload') });
  });

  it('a check costs 350,000: a third check in one expression exceeds the per-call limit', async () => {
    const three = "authorizer.group('').resource('a').check('get').allowed() && authorizer.group('').resource('b').check('get').allowed() && authorizer.group('').resource('c').check('get').allowed()";
    expect((await evaluate(three, () => true)).r).toEqual({ error: 'operation cancelled: actual cost limit exceeded' });
  });

  it('an unanswered check fails the evaluation as pending; authz functions are unknown without the authorizer variable', () => {
    const session = new AuthzSession({ name: 'a', groups: [] });
    expect(program("authorizer.path('/x').check('get').allowed()").eval({ authorizer: authorizerValue(session) }, { used: 0, limit: 1_000_000 })).toEqual({ error: AUTHZ_PENDING });
    expect(compile("self.group('x')", ['self'])).toMatchObject({ error: expect.stringContaining("undeclared reference to 'group'") });
  });
});
