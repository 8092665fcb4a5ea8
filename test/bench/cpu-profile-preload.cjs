// Preloaded into each node by `npm run bench:abuse -- --profile DIR` (NODE_OPTIONS=--require ...;
// node refuses --cpu-prof there): samples the main thread's CPU from start and writes
// DIR/<pid>.cpuprofile when the process exits (the bench stops the nodes with SIGTERM for it), and
// appends the process's memory (process.memoryUsage(), MiB) each second to DIR/<pid>.memory.jsonl.
const { isMainThread } = require('node:worker_threads');
if (isMainThread && process.env.KPLANE_PROFILE_DIR) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  const mib = (n) => Math.round(n / 1048576);
  const memory = setInterval(() => {
    const m = process.memoryUsage();
    const line = { t: Math.round(process.uptime()), rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) };
    fs.appendFileSync(`${process.env.KPLANE_PROFILE_DIR}/${process.pid}.memory.jsonl`, `${JSON.stringify(line)}\n`);
  }, 1000);
  memory.unref();
  process.on('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this completes inside 'exit'.
    session.post('Profiler.stop', (err, r) => {
      if (!err) fs.writeFileSync(`${process.env.KPLANE_PROFILE_DIR}/${process.pid}.cpuprofile`, JSON.stringify(r.profile));
    });
  });
}
