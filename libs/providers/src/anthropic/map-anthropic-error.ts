import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { GatewayError, isGatewayError, isUpstreamBodyTimeout, upstreamError } from '@app/core';

/**
 * Claude error type → HTTP status, for errors that arrive without one (an `error` event inside a 200 stream).
 * @see https://docs.anthropic.com/en/api/errors
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Any failure of a Claude call → GatewayError. The upstream message is kept (it helps users); the key and
 * base URL never appear in it. `overloaded_error` (529) becomes 503, 429 keeps `Retry-After`.
 * Returns the error unchanged when it is the client's own abort, so the abort propagates.
 */
export function mapAnthropicError(error: unknown, provider: string, signal?: AbortSignal): unknown {
  if (isGatewayError(error)) return error;
  if (signal?.aborted || error instanceof APIUserAbortError) return signal?.reason ?? error;
  if (error instanceof APIConnectionTimeoutError)
    return GatewayError.timeout('Claude did not answer in time.', provider);
  if (isUpstreamBodyTimeout(error))
    return GatewayError.timeout('Claude went silent in the middle of its answer.', provider);
  if (error instanceof APIConnectionError) {
    return new GatewayError(502, 'Could not reach the Claude upstream.', {
      code: 'upstream_unreachable',
      provider,
    });
  }
  if (error instanceof APIError) {
    const type = error.type ?? undefined;
    const status = error.status ?? (type ? STATUS_BY_TYPE[type] : undefined) ?? 502;
    const message = error.apiMessage ?? `Claude answered with status ${status}.`;
    const retryAfter = error.headers?.get('retry-after') ?? undefined;
    return upstreamError(status, message, {
      provider,
      // The OpenAI `type` follows the status (401 authentication_error, 404 invalid_request_error, ...);
      // Claude's own type stays visible as `code`.
      code: type ?? null,
      retryAfter: status === 429 || status === 529 || status === 503 ? retryAfter : undefined,
    });
  }
  return new GatewayError(502, 'The Claude upstream call failed.', { code: 'upstream_error', provider });
}
