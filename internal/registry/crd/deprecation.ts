import { compareVersions, type FieldError, fieldErrors } from '../../api/index.js';
import type { CrdSpec, CrdVersion } from './types.js';

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const NOT_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** Upstream's checks of `versions[i].deprecationWarning` (the index it names is a byte offset, as Go's). */
export function deprecationWarningErrors(v: CrdVersion, at: string): FieldError[] {
  const w = v.deprecationWarning;
  if (w === undefined || w === null) return [];
  const path = `${at}.deprecationWarning`;
  if (!v.deprecated) return [fieldErrors.invalid(path, w, 'can only be set for deprecated versions')];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(w) > 256) errs.push(fieldErrors.invalid(path, w, 'must be <= 256 characters long'));
  if (w.length === 0) errs.push(fieldErrors.invalid(path, w, 'must not be an empty string'));
  const bad = NOT_PRINTABLE.exec(w);
  if (bad) {
    const at = Buffer.byteLength(w.slice(0, bad.index));
    errs.push(fieldErrors.invalid(path, w, `must only contain printable UTF-8 characters; non-printable character found at index ${at}`));
  }
  return errs;
}

/**
 * The Warning sent on every request to a deprecated version: its own text, or upstream's default
 * naming the most preferred served, non-deprecated version newer than it.
 */
export function deprecationWarningOf(spec: CrdSpec, v: CrdVersion): string | undefined {
  if (!v.deprecated) return undefined;
  if (typeof v.deprecationWarning === 'string') return v.deprecationWarning;
  const kind = spec.names.kind;
  const msg = `${spec.group}/${v.name} ${kind} is deprecated`;
  const newer = spec.versions.filter((o) => o.served && !o.deprecated && compareVersions(o.name, v.name) < 0).map((o) => o.name).sort(compareVersions);
  return newer.length === 0 ? msg : `${msg}; use ${spec.group}/${newer[0]} ${kind}`;
}
