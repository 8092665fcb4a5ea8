import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzTarget, startFuzzServer, violation, type FuzzServer } from './fuzz.js';
import { TARGETS } from './targets.js';

// A bounded fuzz run in every `npm test` (a few thousand requests in all); `npm run fuzz -- --cases N`
// runs more. A failure prints the shrunk request and the seed that reproduces it.
const CASES_PER_TARGET = 150;

let server: FuzzServer;
beforeAll(async () => {
  server = await startFuzzServer();
});
afterAll(async () => {
  await server.close();
});

describe('fuzz: client input through the real apiserver', () => {
  for (const target of TARGETS) {
    it(target.name, async () => {
      const r = await fuzzTarget(server, target, CASES_PER_TARGET);
      expect(r.failure, `seed ${r.seed}: ${JSON.stringify(r.counterexample)}`).toBeUndefined();
      expect(r.cases).toBe(CASES_PER_TARGET);
    }, 120_000);
  }
});

describe('the fuzz property itself', () => {
  it('accepts successes and clean 4xx Statuses, and flags everything else', () => {
    const status = (code: number) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'm', reason: 'BadRequest', code });
    expect(violation({ status: 201, body: '{}' }, 1, 2)).toBeUndefined();
    expect(violation({ status: 400, body: status(400) }, 1, 1)).toBeUndefined();
    expect(violation({ status: 500, body: status(500) }, 1, 1)).toMatch(/HTTP 500/);
    expect(violation({ status: 400, body: '{"statusCode":400}' }, 1, 1)).toMatch(/not a well-formed Status/);
    expect(violation({ status: 400, body: status(422) }, 1, 1)).toMatch(/not a well-formed Status/);
    expect(violation({ status: 400, body: 'oops' }, 1, 1)).toMatch(/not JSON/);
    expect(violation({ status: 409, body: status(409) }, 1, 2)).toMatch(/revision moved/);
  });
});
