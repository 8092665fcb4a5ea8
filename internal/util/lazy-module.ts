import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on first use instead of at import. Startup time (restart → /readyz)
 * is dominated by module loading, so packages only some requests need (YAML bodies, protobuf,
 * certificate signing on first start) are required synchronously the first time they are called.
 * Pair it with `import type` so the types stay static:
 *   const yaml = lazyModule<typeof import('yaml')>('yaml');  …  yaml().stringify(x)
 */
export function lazyModule<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(specifier) as T);
}
