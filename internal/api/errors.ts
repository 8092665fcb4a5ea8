import { type FieldError, fieldErrorMessage } from './field-error.js';
import { type GroupResource, groupResourceString } from './types.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

/** The one table mapping reason to HTTP code. */
export const REASON_CODE: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  Invalid: 422,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  InternalError: 500,
  Timeout: 504,
  ServiceUnavailable: 503,
};

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status as sent on the wire. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

/** An error that is a Kubernetes Status. The apiserver writes `status` as the response body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;
  /** Extra list metadata (an expired continue token carries a fresh one here). */
  readonly listMeta?: { continue?: string };
  constructor(
    reason: StatusReason,
    message: string,
    opts: { code?: number; details?: StatusDetails; listMeta?: { continue?: string }; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.reason = reason;
    this.code = opts.code ?? REASON_CODE[reason];
    this.details = opts.details;
    this.listMeta = opts.listMeta;
  }

  get status(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listMeta?.continue ? { continue: this.listMeta.continue } : {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  return { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource };
}

/** Builders with upstream's exact messages (kubectl prints them verbatim). */
export const apiErrors = {
  notFound: (gr: GroupResource, name: string) =>
    new ApiError('NotFound', `${groupResourceString(gr)} "${name}" not found`, { details: detailsFor(gr, name) }),
  alreadyExists: (gr: GroupResource, name: string) =>
    new ApiError('AlreadyExists', `${groupResourceString(gr)} "${name}" already exists`, { details: detailsFor(gr, name) }),
  conflict: (gr: GroupResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError('Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`, { details: detailsFor(gr, name) }),
  invalid: (kind: string, name: string, errs: FieldError[], group?: string) => {
    const msgs = errs.map(fieldErrorMessage);
    const summary = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
    return new ApiError('Invalid', `${kind} "${name}" is invalid: ${summary}`, {
      details: {
        name,
        ...(group ? { group } : {}),
        kind,
        causes: errs.map((e, i) => ({ reason: e.type, message: msgs[i]!.slice(e.field.length + 2), field: e.field })),
      },
    });
  },
  badRequest: (message: string) => new ApiError('BadRequest', message),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    new ApiError('Forbidden', `${groupResourceString(gr)} "${name}" is forbidden: ${why}`, { details: detailsFor(gr, name) }),
  methodNotAllowed: () => new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  unsupportedMediaType: (contentType: string) =>
    new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`),
  expired: (message: string, continueToken?: string) =>
    new ApiError('Expired', message, continueToken ? { listMeta: { continue: continueToken } } : {}),
  gone: (message: string) => new ApiError('Gone', message),
  tooLargeResourceVersion: (requested: number, current: number) =>
    new ApiError('Timeout', `Too large resource version: ${requested}, current: ${current}`, {
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
    }),
  tooLarge: (message: string) => new ApiError('RequestEntityTooLarge', message),
  tooManyRequests: (message = 'Too many requests, please try again later.') =>
    new ApiError('TooManyRequests', message, { details: { retryAfterSeconds: 1 } }),
  internal: (message: string, cause?: unknown) => new ApiError('InternalError', `Internal error occurred: ${message}`, { cause }),
  /** 503; with retryAfterSeconds, a Retry-After header that client-go and kubectl honour by retrying. */
  unavailable: (message: string, retryAfterSeconds?: number) =>
    new ApiError('ServiceUnavailable', message, retryAfterSeconds === undefined ? {} : { details: { retryAfterSeconds } }),
  /** 504 Timeout: the request did not complete in time; its effect is unknown. */
  timeout: (message: string) => new ApiError('Timeout', message),
  unauthorized: () => new ApiError('Unauthorized', 'Unauthorized'),
};
