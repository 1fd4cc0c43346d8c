/**
 * The one error type that leaves adapters and core code. The app turns it into the OpenAI envelope
 * `{"error":{"message","type","param","code"}}` with `status` as the HTTP status.
 */
export interface GatewayErrorFields {
  type?: string;
  param?: string | null;
  code?: string | null;
  /** Seconds (or an HTTP date) to send back as `Retry-After`. */
  retryAfter?: string;
  /** Backend name, for logs only. */
  provider?: string;
}

/** OpenAI's error `type` for each status. @see https://platform.openai.com/docs/guides/error-codes */
export function errorTypeForStatus(status: number): string {
  if (
    status === 400 ||
    status === 404 ||
    status === 409 ||
    status === 413 ||
    status === 415 ||
    status === 422
  )
    return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  if (status === 504) return 'timeout';
  return 'server_error';
}

export class GatewayError extends Error {
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfter?: string;
  readonly provider?: string;

  constructor(
    readonly status: number,
    message: string,
    fields: GatewayErrorFields = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.type = fields.type ?? errorTypeForStatus(status);
    this.param = fields.param ?? null;
    this.code = fields.code ?? null;
    this.retryAfter = fields.retryAfter;
    this.provider = fields.provider;
  }

  /** 400 naming the offending parameter path, e.g. `messages[1].content[2].image_url.url`. */
  static invalidRequest(
    message: string,
    param: string | null = null,
    code: string | null = null,
  ): GatewayError {
    return new GatewayError(400, message, { type: 'invalid_request_error', param, code });
  }

  static modelNotFound(model: string): GatewayError {
    return new GatewayError(404, `The model '${model}' does not exist or is not routed by this gateway.`, {
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  }

  static timeout(message = 'The upstream did not answer in time.', provider?: string): GatewayError {
    return new GatewayError(504, message, { type: 'timeout', code: 'upstream_timeout', provider });
  }

  /** The client went away; nothing will be written. */
  static cancelled(): GatewayError {
    return new GatewayError(499, 'The client closed the request.', {
      type: 'cancelled',
      code: 'client_closed_request',
    });
  }

  toEnvelope(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/**
 * Shared status → error mapping for upstream HTTP failures. Providers pass their vendor's error
 * type/message; this keeps the status rules in one place: 4xx and 5xx keep their status (429 with
 * Retry-After), overloaded (529) → 503, anything outside 400..599 → 502.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function upstreamError(
  status: number,
  message: string,
  fields: GatewayErrorFields & { provider: string },
): GatewayError {
  const mapped = status === 529 ? 503 : status >= 400 && status <= 599 ? status : 502;
  return new GatewayError(mapped, message, {
    ...fields,
    type: fields.type && mapped < 500 ? fields.type : errorTypeForStatus(mapped),
  });
}
