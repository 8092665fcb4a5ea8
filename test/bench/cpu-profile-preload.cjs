// Preloaded into each node by `npm run bench:abuse -- --profile DIR` (NODE_OPTIONS=--require ...;
// node refuses --cpu-prof there): samples the main thread's CPU from start and writes
// DIR/<pid>.cpuprofile when the process exits (the bench stops the nodes with SIGTERM for it).
const { isMainThread } = require('node:worker_threads');
if (isMainThread && process.env.KPLANE_PROFILE_DIR) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this completes inside 'exit'.
    session.post('Profiler.stop', (err, r) => {
      if (!err) fs.writeFileSync(`${process.env.KPLANE_PROFILE_DIR}/${process.pid}.cpuprofile`, JSON.stringify(r.profile));
    });
  });
}
