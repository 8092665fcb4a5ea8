import { describe, expect, it } from 'vitest';
import { compile, toCel } from './index.js';
import { ipString, parseCidr, parseIp } from './netlib.js';

const run = (src: string) => {
  const c = compile(src, ['self']);
  if ('error' in c) throw new Error(c.error);
  return c.program.eval({ self: toCel('x') }, { used: 0, limit: 1_000_000 });
};

describe('CEL IP, CIDR and URL libraries', () => {
  const cases: [string, unknown][] = [
    ["ip('10.0.0.1').family() == 4 && ip('fe80::1').family() == 6", true],
    ["isIP('10.0.0.1') && isIP('2001:db8::1') && !isIP('10.0.0.256') && !isIP('::ffff:1.2.3.4') && !isIP('fe80::1%eth0') && !isIP('010.0.0.1')", true],
    ["ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && ip('0.0.0.0').isUnspecified() && ip('169.254.1.1').isLinkLocalUnicast()", true],
    ["ip('224.0.0.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast() && ip('10.1.1.1').isGlobalUnicast() && !ip('127.0.0.1').isGlobalUnicast()", true],
    ["cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1')) && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", true],
    ["cidr('192.168.1.5/24').masked() == cidr('192.168.1.0/24') && ip('10.0.0.1') != ip('10.0.0.2') && cidr('10.0.0.0/8').ip() == ip('10.0.0.0')", true],
    ["cidr('192.168.1.5/24').prefixLength()", 24n],
    ["isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0')", true],
    ["url('https://user@example.com:8443/a%20b?x=1&x=2').getScheme() + ' ' + url('https://example.com:8443/p').getHost() + ' ' + url('https://[::1]:80/').getHostname() + ' ' + url('https://example.com:8443/').getPort()", 'https example.com:8443 ::1 8443'],
    ["url('https://example.com/a%20b').getEscapedPath() == '/a%20b' && url('/just/a/path').getHost() == '' && isURL('https://example.com') && !isURL('not a url')", true],
    ["url('https://example.com/?x=1&x=2&y=3').getQuery()['x'] == ['1', '2']", true],
  ];
  it.each(cases)('%s', (src, want) => {
    expect(run(src)).toEqual({ value: want });
  });

  it("errors as upstream's, and a map is not an IP", () => {
    expect(run("ip('bad')")).toEqual({ error: `IP Address 'bad' parse error during conversion from string: ParseAddr("bad"): unable to parse IP` });
    expect(run("ip('::ffff:1.2.3.4')")).toEqual({ error: "IP Address '::ffff:1.2.3.4' parse error during conversion from string: IPv4-mapped IPv6 address is not allowed" });
    expect(run("{'a': 1}.family()")).toMatchObject({ error: expect.stringContaining('no such overload') });
  });

  it('parses and prints addresses canonically', () => {
    const v6 = parseIp('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(typeof v6 !== 'string' && ipString(v6)).toBe('2001:db8::1');
    const c = parseCidr('fd00::/8');
    expect(typeof c !== 'string' && c.prefix).toBe(8);
  });
});

describe('index expressions', () => {
  it('list and map indexes compile and evaluate (a rule may read labels[key] or items[0])', () => {
    expect(run("['a', 'b'][1] + {'k': 'v'}['k']")).toEqual({ value: 'bv' });
    const c = compile("self.metadata.labels['app'] == 'web' && self.items[0] > 1", ['self']);
    expect('program' in c && c.program.eval({ self: toCel({ metadata: { labels: { app: 'web' } }, items: [2] }) }, { used: 0, limit: 1_000_000 })).toEqual({ value: true });
  });
});
