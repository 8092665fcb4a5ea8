import type { PluginContext } from '../../internal/plugin/index.js';

/** Waits ms on the plugin's clock; resolves early (never rejects) when the plugin is stopped. */
export function pause(ctx: Pick<PluginContext, 'clock' | 'signal'>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) return resolve();
    const done = () => {
      cancel();
      ctx.signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = ctx.clock.setTimeout(done, Math.max(0, ms));
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}
