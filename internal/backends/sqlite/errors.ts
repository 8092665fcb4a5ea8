import { StorageError } from '../../storage/index.js';

/** Translates a better-sqlite3 error into the StorageError crossing the storage boundary (once). */
export function translateSqliteError(err: unknown, what: string): unknown {
  if (err instanceof StorageError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const corrupt = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
  if (code === 'SQLITE_TOOBIG') return new StorageError('TooLarge', `${what}: value too large`, {}, { cause: err });
  return new StorageError(corrupt ? 'Corrupt' : 'Unavailable', `${what}: ${code}: ${(err as Error).message}`, {}, { cause: err });
}
