import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
const METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * fastify's childLoggerFactory: each request's `request.log` is made on its first use. fastify asks
 * for a child logger (with the request id) on every request, and pino builds one per call, while an
 * apiserver request almost never logs: made lazily, a request that logs nothing pays one small object.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildOptions): FastifyBaseLogger {
  return new LazyLogger(() => logger.child(bindings, opts), logger.level) as unknown as FastifyBaseLogger;
}

class LazyLogger {
  private made: FastifyBaseLogger | undefined;
  private wantedLevel: string | undefined;

  constructor(
    private readonly make: () => FastifyBaseLogger,
    private readonly parentLevel: string,
  ) {}

  private get real(): FastifyBaseLogger {
    if (!this.made) {
      this.made = this.make();
      if (this.wantedLevel !== undefined) this.made.level = this.wantedLevel;
    }
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.wantedLevel ?? this.parentLevel;
  }

  set level(l: string) {
    if (this.made) this.made.level = l;
    else this.wantedLevel = l;
  }

  child(bindings: Bindings, opts?: ChildOptions): FastifyBaseLogger {
    return this.real.child(bindings, opts);
  }
}

for (const m of METHODS) {
  Object.defineProperty(LazyLogger.prototype, m, {
    value(this: LazyLogger, ...args: unknown[]) {
      const real = (this as unknown as { real: Record<string, (...a: unknown[]) => void> }).real;
      return real[m]!(...args);
    },
  });
}
