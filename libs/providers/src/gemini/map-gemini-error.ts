import { GatewayError, isGatewayError, isUpstreamBodyTimeout, upstreamError } from '@app/core';

/** Google's error body: `{"error":{"code","message","status","details"}}`. @see https://cloud.google.com/apis/design/errors */
export interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: ReadonlyArray<Record<string, unknown>>;
}

export interface GeminiErrorContext {
  /** Backend name (logs only). */
  provider: string;
  /** Redacted from every message. */
  apiKey?: string;
  /** The `Retry-After` header of the failed response, when there was one. */
  retryAfterHeader?: string;
  /** The caller's signal was aborted (client gone). */
  cancelled?: boolean;
  /** Our own deadline fired. */
  timedOut?: boolean;
}

/**
 * Reads the Google error body out of an SDK `ApiError` message: the SDK puts the whole response body
 * (`{"error":{...}}`) in the message, prefixed with `got status: X. ` for errors inside a stream.
 */
export function parseGoogleErrorBody(message: string): GoogleErrorBody | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (error && typeof error === 'object') return error as GoogleErrorBody;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** `RetryInfo.retryDelay` ("30s", "1.5s") → whole seconds, rounded up. */
export function retryDelayFromDetails(details: GoogleErrorBody['details']): string | undefined {
  for (const detail of details ?? []) {
    if (
      detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo' &&
      typeof detail.retryDelay === 'string'
    ) {
      const seconds = Number.parseFloat(detail.retryDelay);
      if (Number.isFinite(seconds) && seconds >= 0) return String(Math.ceil(seconds));
    }
  }
  return undefined;
}

function errorInfoReason(details: GoogleErrorBody['details']): string | undefined {
  for (const detail of details ?? []) {
    if (detail['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo' && typeof detail.reason === 'string') {
      return detail.reason;
    }
  }
  return undefined;
}

/** Never let a key reach a message: the configured key and any `key=` query parameter. */
export function redactSecrets(message: string, apiKey?: string): string {
  let redacted = apiKey && apiKey.length >= 4 ? message.split(apiKey).join('[redacted]') : message;
  redacted = redacted.replace(/([?&]key=)[^&\s"']+/gi, '$1[redacted]');
  return redacted.replace(/AIza[0-9A-Za-z_-]{20,}/g, '[redacted]');
}

/** OpenAI-style `code` for each Google status. */
function codeFor(
  status: number,
  googleStatus: string | undefined,
  reason: string | undefined,
): string | null {
  if (reason === 'API_KEY_INVALID') return 'invalid_api_key';
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 404) return 'model_not_found';
  return googleStatus ? googleStatus.toLowerCase() : null;
}

/**
 * Anything the SDK throws → `GatewayError`. HTTP errors keep their status (400 INVALID_ARGUMENT and
 * FAILED_PRECONDITION, 401, 403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED with Retry-After
 * from the header or the RetryInfo detail, 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED); Google
 * reports a bad key as 400 API_KEY_INVALID, which is a 401 to OpenAI clients. Transport failures → 502.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function mapGeminiError(error: unknown, context: GeminiErrorContext): GatewayError {
  if (isGatewayError(error)) return error;
  if (context.cancelled) return GatewayError.cancelled();
  if (context.timedOut)
    return GatewayError.timeout('The Gemini upstream did not answer in time.', context.provider);
  if (isUpstreamBodyTimeout(error))
    return GatewayError.timeout(
      'The Gemini upstream went silent in the middle of its answer.',
      context.provider,
    );
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: unknown } | null)?.status;
  if (name === 'ApiError' && typeof status === 'number') {
    const body = parseGoogleErrorBody(message);
    const reason = errorInfoReason(body?.details);
    const mappedStatus = reason === 'API_KEY_INVALID' ? 401 : status;
    const text = redactSecrets(body?.message || `Gemini answered with status ${status}.`, context.apiKey);
    return upstreamError(mappedStatus, text, {
      provider: context.provider,
      code: codeFor(mappedStatus, body?.status, reason),
      retryAfter:
        mappedStatus === 429 ? (context.retryAfterHeader ?? retryDelayFromDetails(body?.details)) : undefined,
    });
  }
  if (name === 'AbortError' || name === 'TimeoutError') {
    return GatewayError.timeout('The Gemini upstream did not answer in time.', context.provider);
  }
  return new GatewayError(
    502,
    `The Gemini upstream could not be reached or sent an invalid response: ${redactSecrets(message, context.apiKey)}`,
    {
      code: 'upstream_error',
      provider: context.provider,
    },
  );
}
