import { describe, expect, it } from 'vitest';
import { compile, COST_EXCEEDED, toCel, type Program, type Shape } from './index.js';

function program(src: string, vars = ['self', 'oldSelf']): Program {
  const r = compile(src, vars);
  if ('error' in r) throw new Error(r.error);
  return r.program;
}

function run(src: string, self: unknown, oldSelf?: unknown, limit = 1_000_000) {
  const vars = { self: toCel(self), ...(oldSelf === undefined ? {} : { oldSelf: toCel(oldSelf) }) };
  return program(src).eval(vars, { used: 0, limit });
}

describe('CEL rules from the Kubernetes documentation', () => {
  const cases: [string, unknown, unknown][] = [
    ['self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas', { minReplicas: 1, replicas: 3, maxReplicas: 5 }, true],
    ['self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas', { minReplicas: 1, replicas: 7, maxReplicas: 5 }, false],
    ["self.list.all(e, e != 'forbidden')", { list: ['a', 'forbidden'] }, false],
    ['self.set1.all(e, !(e in self.set2))', { set1: ['a'], set2: ['b'] }, true],
    ['self.map1.all(k, !(k in self.map2))', { map1: { a: 1 }, map2: { a: 2 } }, false],
    ["self.list.exists_one(e, e == 'x')", { list: ['x', 'y', 'x'] }, false],
    ['self.names.size() == size(self.details) && self.names.all(n, n in self.details)', { names: ['a'], details: { a: 'x' } }, true],
    ['has(self.expired) && self.created + self.ttl < self.expired', { created: 1, ttl: 2 }, false],
    ["self.widgets.map(w, w.name).filter(n, n.startsWith('x')).size() == 1", { widgets: [{ name: 'xa' }, { name: 'b' }] }, true],
    ["self.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')", { name: 'web-1' }, true],
    ["self.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')", { name: 'Web' }, false],
    ['type(self) == string', 'x', true],
    ["self.lowerAscii().split('-').size() == 2 && self.indexOf('-') == 3", 'ABC-d', true],
    ['[1, 2, 3].isSorted() && self.sum() == 6 && self.max() == 3 && self.min() == 1 && self.indexOf(2) == 1', [1, 2, 3], true],
    ["self.startsWith('pre') && self.endsWith('fix') && self.contains('efi')", 'prefix', true],
    ['self.x == 1.5 && self.y == 2', { x: 1.5, y: 2 }, true],
  ];
  it.each(cases)('%s', (src, self, want) => {
    expect(run(src, self)).toEqual({ value: want });
  });

  it('a transition rule compares self with oldSelf', () => {
    expect(program('self == oldSelf').uses.has('oldSelf')).toBe(true);
    expect(program('self.a > 1').uses.has('oldSelf')).toBe(false);
    expect(run('self == oldSelf', { a: [1, { b: 'c' }] }, { a: [1, { b: 'c' }] })).toEqual({ value: true });
    expect(run('self == oldSelf', { a: 1 }, { a: 2 })).toEqual({ value: false });
    expect(run('self.replicas >= oldSelf.replicas', { replicas: 2 }, { replicas: 3 })).toEqual({ value: false });
  });

  it('a missing field is an error with cel-go wording', () => {
    expect(run('self.x > 1', { y: 1 })).toEqual({ error: 'no such key: x' });
  });
});

describe('compile errors', () => {
  it.each([
    ['self.a ==', 'ERROR: <input>:1:'],
    ['foo > 1', "ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo > 1\n | ^"],
    ['self.a.nope(1)', "undeclared reference to 'nope'"],
    ['self.l.all(x, y > 0)', "ERROR: <input>:1:15: undeclared reference to 'y' (in container '')"],
    ['oldSelf == self', "undeclared reference to 'oldSelf'"],
  ])('%s', (src, want) => {
    const r = compile(src, src.startsWith('oldSelf') ? ['self'] : ['self', 'oldSelf']);
    expect('error' in r && r.error).toContain(want);
  });
});

describe('cost', () => {
  it('a hostile regular expression runs in linear time (RE2)', () => {
    const hostile = `${'a'.repeat(5000)}!`;
    expect(run("self.matches('(a+)+$')", hostile)).toEqual({ value: false });
  });

  it('nested loops stop at the budget', () => {
    const list = Array.from({ length: 300 }, (_, i) => i);
    const r = run('self.all(a, self.all(b, self.all(c, a + b + c >= 0)))', list, undefined, 1_000_000);
    expect(r).toEqual({ error: COST_EXCEEDED });
    expect(run('self.all(a, a >= 0)', list)).toEqual({ value: true });
  });

  it('an error swallowed by || still counts', () => {
    const list = Array.from({ length: 300 }, (_, i) => i);
    expect(run('self.all(a, self.all(b, self.all(c, true))) || true', list)).toEqual({ error: COST_EXCEEDED });
  });

  it('the static estimate follows the declared bounds', () => {
    const p = program('self.l.all(x, self.l.all(y, x != y || true))');
    const bounded: Shape = { kind: 'object', field: (n) => (n === 'l' ? { kind: 'list', max: 10, elem: { kind: 'scalar' } } : undefined) };
    const unbounded: Shape = { kind: 'object', field: (n) => (n === 'l' ? { kind: 'list', elem: { kind: 'scalar' } } : undefined) };
    expect(p.estimate({ self: bounded })).toBeLessThan(2_000);
    expect(p.estimate({ self: unbounded })).toBeGreaterThan(1e12);
    const str = program("self.s.matches('^a')");
    expect(str.estimate({ self: { kind: 'object', field: () => ({ kind: 'string', max: 100 }) } })).toBeLessThan(50);
  });
});
