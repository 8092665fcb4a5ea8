/**
 * Query-parameter scalars. Clients differ: Python sends `watch=True`, Go sends `true`, some send
 * `1`. Returns undefined for a missing parameter; throws QueryParamError for anything else.
 */

export class QueryParamError extends Error {
  override readonly name = 'QueryParamError';
}

const TRUE = new Set(['true', '1', 't']);
const FALSE = new Set(['false', '0', 'f']);

/** Case-insensitive true/false/1/0 (and Go's t/f). An empty value counts as absent. */
export function parseBool(value: string | undefined | null, name = 'value'): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const v = value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new QueryParamError(`invalid boolean value for ${name}: ${JSON.stringify(value)}`);
}
