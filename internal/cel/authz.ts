import type { CelFunc, CelMap, CelValue } from '@bufbuild/cel';
import { celModule } from './engine.js';
import { charge } from './library.js';

// Kubernetes' CEL authorization library (the `authorizer` variable of admission policies):
// authorizer.group(g).resource(r)[.subresource(s)][.namespace(ns)][.name(n)].check(verb) and
// authorizer.path(p).check(httpVerb) give a Decision (allowed(), reason(), errored(), error());
// authorizer.serviceAccount(ns, name) asks for that account instead of the requester;
// authorizer.requestResource is the check of the request's own resource.
//
// CEL evaluation is synchronous and kplane's authorizer is not: a check whose answer is not known
// yet records what it asks and fails the evaluation; the caller resolves the recorded checks and
// evaluates again (CEL is pure, so the second run takes the same path and finds the answers).

/** What one check asks (resource fields, or `path` for a non-resource check). */
export interface AuthzCheck {
  user: string;
  groups: string[];
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

export interface AuthzDecision {
  allowed: boolean;
  reason?: string;
  error?: string;
}

/** One request's authorization answers, shared by the evaluations of its expressions. */
export class AuthzSession {
  readonly answers = new Map<string, AuthzDecision>();
  readonly pending = new Map<string, AuthzCheck>();
  constructor(readonly user: { name: string; groups: string[] }) {}

  /** Answers every recorded check; resolves when none is pending. */
  async resolve(decide: (c: AuthzCheck) => Promise<AuthzDecision>): Promise<void> {
    const asked = [...this.pending];
    this.pending.clear();
    await Promise.all(asked.map(async ([k, c]) => this.answers.set(k, await decide(c).catch((e: Error) => ({ allowed: false, error: e.message })))));
  }
}

/** Upstream's cost of one check: two per expression fit in the per-call limit. */
export const AUTHZ_CHECK_COST = 350_000;
export const AUTHZ_PENDING = 'authorization check pending';

type Kind = 'authorizer' | 'path' | 'group' | 'resource' | 'decision';
interface State {
  kind: Kind;
  session: AuthzSession;
  user: { name: string; groups: string[] };
  check: Omit<AuthzCheck, 'user' | 'groups' | 'verb'>;
  decision?: AuthzDecision;
}
const states = new WeakMap<object, State>();

function value(s: State, entries: [string, CelValue][] = []): CelValue {
  const m = celModule().cel.celMap(new Map(entries));
  states.set(m as object, s);
  return m;
}

/** The `authorizer` variable for a request by `user`, with requestResource when the request names one. */
export function authorizerValue(session: AuthzSession, request?: { group: string; resource: string; subresource?: string; namespace?: string; name?: string }): CelValue {
  const root: State = { kind: 'authorizer', session, user: session.user, check: {} };
  const entries: [string, CelValue][] = request ? [['requestResource', value({ ...root, kind: 'resource', check: { ...request } })]] : [];
  return value(root, entries);
}

/** The names authorizerLibrary() adds (compile checks know them only where `authorizer` is declared). */
export const AUTHZ_FUNCTIONS = ['path', 'group', 'serviceAccount', 'resource', 'subresource', 'namespace', 'name', 'check', 'allowed', 'reason', 'errored', 'error'];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function authorizerLibrary(): CelFunc[] {
  const { CelScalar, celMethod, mapType } = celModule().cel;
  const M = mapType(CelScalar.STRING, CelScalar.DYN);
  const S = CelScalar.STRING;
  const of = (v: CelMap, kind: Kind): State => {
    const s = states.get(v as object);
    if (!s || s.kind !== kind) throw new Error('no such overload');
    return s;
  };
  const step = (name: string, from: Kind, to: Kind, apply: (s: State, arg: string) => State['check']) =>
    celMethod(name, M, [S], M, function (this: CelMap, arg: string) {
      const s = of(this, from);
      return value({ ...s, kind: to, check: apply(s, arg) }) as CelMap;
    });
  const check = () =>
    celMethod('check', M, [S], M, function (this: CelMap, verb: string) {
      const s = states.get(this as object);
      if (!s || (s.kind !== 'resource' && s.kind !== 'path')) throw new Error('no such overload');
      charge(AUTHZ_CHECK_COST);
      const asked: AuthzCheck = { user: s.user.name, groups: s.user.groups, verb, ...s.check };
      const key = JSON.stringify(asked);
      const answer = s.session.answers.get(key);
      if (!answer) {
        s.session.pending.set(key, asked);
        throw new Error(AUTHZ_PENDING);
      }
      return value({ ...s, kind: 'decision', decision: answer }) as CelMap;
    });
  const decision = (name: string, get: (d: AuthzDecision) => string) =>
    celMethod(name, M, [], S, function (this: CelMap) {
      return get(of(this, 'decision').decision!);
    });
  const flag = (name: string, get: (d: AuthzDecision) => boolean) =>
    celMethod(name, M, [], CelScalar.BOOL, function (this: CelMap) {
      return get(of(this, 'decision').decision!);
    });
  return [
    step('path', 'authorizer', 'path', (_s, p) => {
      if (!p.trim()) throw new Error('path must not be empty');
      return { path: p };
    }),
    step('group', 'authorizer', 'group', (_s, group) => ({ group })),
    celMethod('serviceAccount', M, [S, S], M, function (this: CelMap, namespace: string, name: string) {
      const s = of(this, 'authorizer');
      if (!DNS_SUBDOMAIN.test(name)) throw new Error('Invalid service account name');
      if (!DNS_LABEL.test(namespace)) throw new Error('Invalid service account namespace');
      const user = { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
      return value({ ...s, user }) as CelMap;
    }),
    step('resource', 'group', 'resource', (s, resource) => {
      if (!resource.trim()) throw new Error('resource must not be empty');
      return { ...s.check, resource };
    }),
    step('subresource', 'resource', 'resource', (s, subresource) => ({ ...s.check, subresource })),
    step('namespace', 'resource', 'resource', (s, namespace) => ({ ...s.check, namespace })),
    step('name', 'resource', 'resource', (s, name) => ({ ...s.check, name })),
    check(),
    flag('allowed', (d) => d.allowed),
    decision('reason', (d) => d.reason ?? ''),
    flag('errored', (d) => d.error !== undefined),
    decision('error', (d) => d.error ?? ''),
  ];
}
