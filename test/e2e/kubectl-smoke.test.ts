import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBinary, kubectlBinary, useKplane } from './harness.js';

// The shared compatibility smoke script (/work/shared/bench/kubectl-smoke.sh) against the built
// binary with kubectl 1.27 and 1.32. Every step passes except the two that need the deployment and
// replicaset controllers, which may pass once those controllers run.

const SCRIPT = process.env.KPLANE_SMOKE_SCRIPT ?? '/work/shared/bench/kubectl-smoke.sh';
const NEED_CONTROLLERS = new Set(['get rs (controller ran)', 'get pods (3 created)']);
const VERSIONS = ['1.27', '1.32'].filter((v) => hasBinary(`kubectl.${v}`));

const server = useKplane();

describe.skipIf(!existsSync(SCRIPT))('kubectl-smoke.sh', () => {
  for (const version of VERSIONS) {
    it(`passes with kubectl ${version} (controller steps aside)`, () => {
      const r = spawnSync('bash', [SCRIPT, server().kubeconfig, kubectlBinary(version)], {
        encoding: 'utf8',
        timeout: 110_000,
        env: { ...process.env, HOME: join(dirname(server().kubeconfig), 'home') },
      });
      const steps = [...r.stdout.matchAll(/^(PASS|FAIL) (.+)$/gm)].map((m) => ({ ok: m[1] === 'PASS', name: m[2]! }));
      expect(steps.length, r.stdout + r.stderr).toBe(17);
      const failed = steps.filter((s) => !s.ok).map((s) => s.name);
      expect(failed.filter((name) => !NEED_CONTROLLERS.has(name)), r.stdout).toEqual([]);
    });
  }
});
