import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { GatewayError } from '@app/core';
import { mapAnthropicError } from './map-anthropic-error';

function apiError(
  status: number | undefined,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): APIError {
  return APIError.generate(
    status as number,
    { type: 'error', error: { type, message } },
    undefined,
    new Headers(headers),
  );
}

describe('mapAnthropicError', () => {
  it.each([
    [400, 'invalid_request_error', 400, 'invalid_request_error'],
    [401, 'authentication_error', 401, 'authentication_error'],
    [403, 'permission_error', 403, 'permission_error'],
    [404, 'not_found_error', 404, 'invalid_request_error'],
    [413, 'request_too_large', 413, 'invalid_request_error'],
    [429, 'rate_limit_error', 429, 'rate_limit_error'],
    [500, 'api_error', 500, 'server_error'],
    [529, 'overloaded_error', 503, 'service_unavailable'],
  ])('HTTP %i %s → %i %s, message and type kept', (status, type, expectedStatus, expectedType) => {
    const mapped = mapAnthropicError(apiError(status, type, 'upstream says no'), 'anthropic') as GatewayError;
    expect(mapped).toBeInstanceOf(GatewayError);
    expect(mapped.status).toBe(expectedStatus);
    expect(mapped.type).toBe(expectedType);
    expect(mapped.code).toBe(type);
    expect(mapped.message).toBe('upstream says no');
  });

  it.each([
    ['overloaded_error', 503],
    ['api_error', 500],
    ['rate_limit_error', 429],
    ['invalid_request_error', 400],
    ['brand_new_error', 502],
  ])('in-stream error event %s (no status) → %i', (type, expectedStatus) => {
    const mapped = mapAnthropicError(
      new APIError(
        undefined,
        { type: 'error', error: { type, message: 'm' } },
        undefined,
        new Headers(),
        null,
      ),
      'anthropic',
    );
    expect((mapped as GatewayError).status).toBe(expectedStatus);
  });

  it('keeps Retry-After on 429', () => {
    const mapped = mapAnthropicError(
      apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '17' }),
      'anthropic',
    ) as GatewayError;
    expect(mapped.retryAfter).toBe('17');
  });

  it('connection timeout → 504 timeout', () => {
    const mapped = mapAnthropicError(new APIConnectionTimeoutError(), 'anthropic') as GatewayError;
    expect(mapped.status).toBe(504);
    expect(mapped.type).toBe('timeout');
  });

  it('a body silent past the timeout (undici, also as a cause) → 504 timeout', () => {
    const silence = Object.assign(new Error('Body Timeout Error'), {
      name: 'BodyTimeoutError',
      code: 'UND_ERR_BODY_TIMEOUT',
    });
    for (const error of [silence, new Error('fetch failed', { cause: silence })]) {
      const mapped = mapAnthropicError(error, 'anthropic') as GatewayError;
      expect(mapped.status).toBe(504);
      expect(mapped.type).toBe('timeout');
    }
  });

  it('connection failure → 502 without the URL', () => {
    const mapped = mapAnthropicError(
      new APIConnectionError({ message: 'connect ECONNREFUSED http://10.0.0.1:9' }),
      'anthropic',
    ) as GatewayError;
    expect(mapped.status).toBe(502);
    expect(mapped.message).not.toContain('10.0.0.1');
  });

  it('a client abort propagates as the abort', () => {
    const controller = new AbortController();
    const reason = new Error('client left');
    controller.abort(reason);
    expect(mapAnthropicError(new APIUserAbortError(), 'anthropic', controller.signal)).toBe(reason);
  });

  it('GatewayErrors pass through', () => {
    const error = GatewayError.invalidRequest('bad');
    expect(mapAnthropicError(error, 'anthropic')).toBe(error);
  });
});
