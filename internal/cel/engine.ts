import { createRequire } from 'node:module';
import type * as CelModule from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';

export type Cel = typeof CelModule;

/**
 * @bufbuild/cel, loaded on first use: a server without CEL rules never pays for it (its protobuf
 * descriptors add ~19 MB to a process). Loaded through require (the package ships CommonJS) so
 * that compiling a rule can stay synchronous inside a strategy's validate.
 */
let loaded: { cel: Cel; ext: typeof CelExt } | undefined;

export function celModule(): { cel: Cel; ext: typeof CelExt } {
  if (!loaded) {
    const req = createRequire(import.meta.url);
    loaded = { cel: req('@bufbuild/cel') as Cel, ext: req('@bufbuild/cel/ext') as typeof CelExt };
  }
  return loaded;
}
