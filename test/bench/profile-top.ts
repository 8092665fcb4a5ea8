import { readFileSync } from 'node:fs';

// `node --import tsx test/bench/profile-top.ts FILE.cpuprofile [--from S] [--to S] [--top N]`: where a
// process spent its CPU (from `node --cpu-prof`, e.g. `npm run bench:abuse -- --profile DIR`), within
// a window in seconds from the start of the profile: self time by function and by module (package
// or source folder), and the share of idle time (the event loop waiting for I/O).

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const arg = (n: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const file = process.argv[2]!;
const from = (arg('from') ?? 0) * 1e6;
const to = (arg('to') ?? Infinity) * 1e6;
const top = arg('top') ?? 30;

const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let t = 0;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i]!;
  if (t < from || t > to) continue;
  const dt = p.timeDeltas[i + 1] ?? 0;
  self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  total += dt;
}

const moduleOf = (url: string): string => {
  if (!url) return '(native/vm)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  const src = /\/(internal\/[^/]+|plugins\/[^/]+|cmd|dist)\//.exec(url);
  return src ? src[1]! : url;
};
const fns = new Map<string, number>();
const mods = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(dist|internal|node_modules)\//, '$1/')}:${lineNumber + 1}`;
  fns.set(name, (fns.get(name) ?? 0) + us);
  const m = functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)' ? functionName : moduleOf(url);
  mods.set(m, (mods.get(m) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled in the window`);
console.log('by module:');
for (const [m, us] of [...mods].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${m}`);
console.log('by function (self):');
for (const [f, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${f}`);
