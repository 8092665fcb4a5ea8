import { describe, expect, it } from 'vitest';
import { lexLabelSelector } from './label-lexer.js';
import { parseLabelSelector, everythingLabels, nothingLabels } from './label-selector.js';
import { isSelectorError } from './selector-error.js';

function err(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    expect(isSelectorError(e, 'InvalidLabelSelector')).toBe(true);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

const QNAME_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('lexLabelSelector', () => {
  it('scans operators greedily and keywords as tokens', () => {
    const kinds = (s: string) => lexLabelSelector(s).map((t) => `${t.kind}:${t.literal}`);
    expect(kinds('a!=b')).toEqual(['identifier:a', 'notEquals:!=', 'identifier:b', 'eos:']);
    expect(kinds('a===b')).toEqual(['identifier:a', 'doubleEquals:==', 'equals:=', 'identifier:b', 'eos:']);
    expect(kinds(' x  in\t(a , b)\n')).toEqual([
      'identifier:x',
      'in:in',
      'openPar:(',
      'identifier:a',
      'comma:,',
      'identifier:b',
      'closePar:)',
      'eos:',
    ]);
    expect(kinds('!a,b>1,c<2')).toEqual([
      'not:!',
      'identifier:a',
      'comma:,',
      'identifier:b',
      'greaterThan:>',
      'identifier:1',
      'comma:,',
      'identifier:c',
      'lessThan:<',
      'identifier:2',
      'eos:',
    ]);
    expect(kinds('a notin (x)')[1]).toBe('notin:notin');
  });
});

describe('parseLabelSelector: grammar', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };

  it('empty string selects everything', () => {
    const q = parseLabelSelector('');
    expect(q.empty).toBe(true);
    expect(q.matches(undefined)).toBe(true);
    expect(parseLabelSelector('   ').empty).toBe(true);
  });

  it('= and == match equal values only when the key is present', () => {
    expect(parseLabelSelector('app=web').matches(labels)).toBe(true);
    expect(parseLabelSelector('app==web').matches(labels)).toBe(true);
    expect(parseLabelSelector('app=db').matches(labels)).toBe(false);
    expect(parseLabelSelector('other=web').matches(labels)).toBe(false);
  });

  it('!= also matches when the key is absent', () => {
    expect(parseLabelSelector('app!=db').matches(labels)).toBe(true);
    expect(parseLabelSelector('app!=web').matches(labels)).toBe(false);
    expect(parseLabelSelector('other!=x').matches(labels)).toBe(true);
  });

  it('a missing exact value means the empty string', () => {
    const q = parseLabelSelector('app=,tier=front');
    expect(q.requirements.map((r) => r.values)).toEqual([[''], ['front']]);
    expect(q.matches({ app: '', tier: 'front' })).toBe(true);
    expect(parseLabelSelector('app!=').matches(labels)).toBe(true);
  });

  it('in and notin with sets', () => {
    expect(parseLabelSelector('tier in (front,back)').matches(labels)).toBe(true);
    expect(parseLabelSelector('tier in (back)').matches(labels)).toBe(false);
    expect(parseLabelSelector('tier notin (back)').matches(labels)).toBe(true);
    expect(parseLabelSelector('tier notin (front)').matches(labels)).toBe(false);
    expect(parseLabelSelector('gone notin (front)').matches(labels)).toBe(true);
    expect(parseLabelSelector('gone in (front)').matches(labels)).toBe(false);
  });

  it('set values: sorted, deduplicated, "()" and empty items are ""', () => {
    expect(parseLabelSelector('x in (b,a,b)').requirements[0]!.values).toEqual(['a', 'b']);
    expect(parseLabelSelector('x in ()').requirements[0]!.values).toEqual(['']);
    expect(parseLabelSelector('x in (,a)').requirements[0]!.values).toEqual(['', 'a']);
    expect(parseLabelSelector('x in (a,)').requirements[0]!.values).toEqual(['', 'a']);
    expect(parseLabelSelector('x in (a,,b)').requirements[0]!.values).toEqual(['', 'a', 'b']);
    expect(parseLabelSelector('x in (,)').requirements[0]!.values).toEqual(['']);
    // Upstream quirk: two leading commas consume the closing parenthesis check.
    expect(err('x in (,,)')).toBe("unable to parse requirement: found ')', expected: ',', or identifier");
  });

  it('"in" and "notin" are ordinary words in value position', () => {
    expect(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' })).toBe(true);
    expect(parseLabelSelector('x=in').matches({ x: 'in' })).toBe(true);
  });

  it('a bare key means exists; !key means absent', () => {
    expect(parseLabelSelector('app').matches(labels)).toBe(true);
    expect(parseLabelSelector('gone').matches(labels)).toBe(false);
    expect(parseLabelSelector('!gone').matches(labels)).toBe(true);
    expect(parseLabelSelector('!app').matches(labels)).toBe(false);
    expect(parseLabelSelector('app,!gone').requirements.map((r) => r.operator)).toEqual(['exists', '!']);
  });

  it('> and < compare integers; non-integers never match', () => {
    expect(parseLabelSelector('n>4').matches(labels)).toBe(true);
    expect(parseLabelSelector('n>5').matches(labels)).toBe(false);
    expect(parseLabelSelector('n<6').matches(labels)).toBe(true);
    expect(parseLabelSelector('n<5').matches(labels)).toBe(false);
    expect(parseLabelSelector('app>1').matches(labels)).toBe(false);
    expect(parseLabelSelector('gone>1').matches(labels)).toBe(false);
  });

  it(', is AND; requirements are sorted by key', () => {
    const q = parseLabelSelector('tier=front,app=web');
    expect(q.requirements.map((r) => r.key)).toEqual(['app', 'tier']);
    expect(q.matches(labels)).toBe(true);
    expect(q.matches({ app: 'web' })).toBe(false);
  });

  it('prefixed keys', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=x').matches({ 'app.kubernetes.io/name': 'x' })).toBe(true);
  });

  it('renders canonically and answers exact-match lookups', () => {
    expect(parseLabelSelector('tier in (b,a),app=web,!x,y,n>1,m<2,z!=q,w==1,v notin (c)').toString()).toBe(
      'app=web,m<2,n>1,tier in (a,b),v notin (c),w==1,!x,y,z!=q',
    );
    const q = parseLabelSelector('app=web,tier in (a),x in (a,b)');
    expect(q.requiresExactMatch('app')).toBe('web');
    expect(q.requiresExactMatch('tier')).toBe('a');
    expect(q.requiresExactMatch('x')).toBeUndefined();
    expect(q.requiresExactMatch('none')).toBeUndefined();
  });

  it('everything and nothing', () => {
    expect(everythingLabels.matches({ a: 'b' })).toBe(true);
    expect(nothingLabels.matches({ a: 'b' })).toBe(false);
    expect(nothingLabels.empty).toBe(false);
  });
});

describe('parseLabelSelector: upstream error messages', () => {
  it('a leading operator', () => {
    expect(err('=foo')).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(err('(a)')).toBe("found '(', expected: !, identifier, or 'end of string'");
  });
  it('a doubled operator inside a requirement', () => {
    expect(err('a===b')).toBe("unable to parse requirement: found '=', expected: identifier");
  });
  it('! not followed by a key', () => {
    expect(err('!=x')).toBe("found '!=', expected: !, identifier, or 'end of string'");
    expect(err('!,a')).toBe("unable to parse requirement: found ',', expected: identifier");
    expect(err('!')).toBe("unable to parse requirement: found '', expected: identifier");
  });
  it('a bad operator after the key', () => {
    expect(err('a (b)')).toBe("unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
    expect(err('a b')).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  });
  it('set syntax errors', () => {
    expect(err('a in b')).toBe("unable to parse requirement: found 'b' expected: '('");
    expect(err('a in (=)')).toBe("unable to parse requirement: found '=', expected: ',', ')' or identifier");
    expect(err('a in (b c)')).toBe("unable to parse requirement: found 'c', expected: ',' or ')'");
    expect(err('a in (b,=)')).toBe("unable to parse requirement: found '=', expected: ',', or identifier");
    expect(err('a in (b')).toBe("unable to parse requirement: found '', expected: ',' or ')'");
  });
  it('exact value that is not an identifier', () => {
    expect(err('a=(')).toBe("unable to parse requirement: found '(', expected: identifier");
  });
  it('junk after a requirement, and nothing after a comma', () => {
    expect(err('a=b c')).toBe("found 'c', expected: ',' or 'end of string'");
    expect(err('!a=b')).toBe("found '=', expected: ',' or 'end of string'");
    expect(err('a=b,')).toBe("found '', expected: identifier after ','");
    expect(err('a,,b')).toBe("found ',', expected: identifier after ','");
  });
  it('invalid keys use the <nil> path like upstream', () => {
    expect(err('app:monolith')).toBe(`unable to parse requirement: <nil>: Invalid value: "app:monolith": ${QNAME_NAME_MSG}`);
    expect(err('a/b/c=x')).toBe(
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    expect(err(`${'k'.repeat(64)}=v`)).toBe(
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    );
  });
  it('invalid values name the value index and key', () => {
    expect(err('a=-x')).toBe(
      "unable to parse requirement: values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
    expect(err('a in (ok,-x)')).toMatch(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-x": /);
  });
  it('several value problems are aggregated in brackets', () => {
    expect(err(`a in (-x,${'v'.repeat(64)})`)).toMatch(
      /^unable to parse requirement: \[values\[0\]\[a\]: Invalid value: "-x": .*, values\[1\]\[a\]: Invalid value: "v+": must be no more than 63 characters\]$/,
    );
  });
  it('> and < need integers', () => {
    expect(err('a>x')).toBe(`unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
    expect(err('a<99999999999999999999')).toMatch(/must be an integer$/);
    // A negative bound parses as an integer but is not a valid label value, as upstream.
    expect(err('a>-3')).toMatch(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-3": a valid label/);
  });
});
