export type SelectorErrorCode = 'InvalidLabelSelector' | 'InvalidFieldSelector' | 'UnsupportedField';

/**
 * A label or field selector that cannot be parsed or uses a field the resource does not support.
 * The message is upstream's text; the apiserver answers it as 400 BadRequest (buildPredicate does
 * that translation).
 */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
  constructor(
    readonly code: SelectorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isSelectorError(err: unknown, code?: SelectorErrorCode): err is SelectorError {
  return err instanceof SelectorError && (code === undefined || err.code === code);
}
