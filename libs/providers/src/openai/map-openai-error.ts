import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { GatewayError, isUpstreamBodyTimeout, upstreamError } from '@app/core';

/**
 * OpenAI (and compatible) SDK errors → GatewayError. The upstream's own envelope fields are kept: clients
 * of an OpenAI-compatible gateway expect OpenAI's type/param/code.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function mapOpenAiError(error: unknown, provider: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof APIUserAbortError) return GatewayError.cancelled();
  if (error instanceof APIConnectionTimeoutError)
    return GatewayError.timeout(`The '${provider}' upstream timed out.`, provider);
  if (isUpstreamBodyTimeout(error))
    return GatewayError.timeout(
      `The '${provider}' upstream went silent in the middle of its answer.`,
      provider,
    );
  if (error instanceof APIConnectionError) {
    return new GatewayError(502, `Could not reach the '${provider}' upstream.`, {
      code: 'upstream_unreachable',
      provider,
    });
  }
  if (error instanceof APIError) {
    // A status-less APIError is an `error` event inside a stream: the upstream failed after it started.
    const status = error.status ?? 502;
    const body = (error.error ?? {}) as {
      message?: unknown;
      type?: unknown;
      param?: unknown;
      code?: unknown;
    };
    const message =
      typeof body.message === 'string' ? body.message : `The '${provider}' upstream answered ${status}.`;
    return upstreamError(status, message, {
      provider,
      type: typeof body.type === 'string' ? body.type : undefined,
      param: typeof body.param === 'string' ? body.param : null,
      code:
        typeof body.code === 'string' ? body.code : typeof body.code === 'number' ? String(body.code) : null,
      retryAfter: error.headers?.get('retry-after') ?? undefined,
    });
  }
  if (error instanceof Error && error.name === 'AbortError') return GatewayError.cancelled();
  return new GatewayError(502, `The '${provider}' upstream failed.`, { code: 'upstream_error', provider });
}
