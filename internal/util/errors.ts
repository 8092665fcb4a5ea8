/** A bad flag or configuration value; cmd/ maps it to exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}

/** A broken internal invariant. Never used for expected outcomes. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}
