export type CodecErrorCode =
  /** The bytes are not valid JSON / YAML / protobuf for the declared type. */
  | 'Malformed'
  /** The envelope names an apiVersion/kind we have no schema for. */
  | 'UnknownKind'
  /** The Content-Type is not one this codec reads. */
  | 'UnsupportedMediaType';

/**
 * A request body that cannot be decoded. decodeRequestBody translates these into ApiError
 * (400 BadRequest, or 415 UnsupportedMediaType); lower-level decoders throw them as is.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
  }
}

export function isCodecError(err: unknown, code?: CodecErrorCode): err is CodecError {
  return err instanceof CodecError && (code === undefined || err.code === code);
}
