import { ApiError } from '@google/genai';
import { GatewayError } from '@app/core';
import {
  mapGeminiError,
  parseGoogleErrorBody,
  redactSecrets,
  retryDelayFromDetails,
} from './map-gemini-error';

const context = { provider: 'gemini', apiKey: 'AIzaSyTESTKEY-0123456789abcdef' };

function apiError(status: number, body: unknown, inStream = false): ApiError {
  const json = JSON.stringify(body);
  return new ApiError({ status, message: inStream ? `got status: X. ${json}` : json });
}

describe('mapGeminiError', () => {
  it.each([
    [400, 'INVALID_ARGUMENT', 400, 'invalid_request_error', 'invalid_argument'],
    [400, 'FAILED_PRECONDITION', 400, 'invalid_request_error', 'failed_precondition'],
    [401, 'UNAUTHENTICATED', 401, 'authentication_error', 'unauthenticated'],
    [403, 'PERMISSION_DENIED', 403, 'permission_error', 'permission_denied'],
    [404, 'NOT_FOUND', 404, 'invalid_request_error', 'model_not_found'],
    [429, 'RESOURCE_EXHAUSTED', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [500, 'INTERNAL', 500, 'server_error', 'internal'],
    [503, 'UNAVAILABLE', 503, 'service_unavailable', 'unavailable'],
    [504, 'DEADLINE_EXCEEDED', 504, 'timeout', 'deadline_exceeded'],
  ])('%i %s → %i %s', (status, googleStatus, expectedStatus, type, code) => {
    const mapped = mapGeminiError(
      apiError(status, { error: { code: status, message: 'upstream says no', status: googleStatus } }),
      context,
    );
    expect(mapped).toBeInstanceOf(GatewayError);
    expect(mapped).toMatchObject({ status: expectedStatus, type, code, message: 'upstream says no' });
  });

  it('maps an error event inside a stream the same way', () => {
    const mapped = mapGeminiError(
      apiError(500, { error: { code: 500, message: 'boom', status: 'INTERNAL' } }, true),
      context,
    );
    expect(mapped).toMatchObject({ status: 500, message: 'boom' });
  });

  it('turns Google\'s "API key not valid" (400 API_KEY_INVALID) into 401 without the key', () => {
    const body = {
      error: {
        code: 400,
        message: `API key not valid. Please pass a valid API key. (${context.apiKey})`,
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
          },
        ],
      },
    };
    const mapped = mapGeminiError(apiError(400, body), context);
    expect(mapped).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    expect(mapped.message).not.toContain(context.apiKey);
  });

  it.each([
    ['header wins', '7', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }], '7'],
    [
      'RetryInfo detail',
      undefined,
      [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '29.2s' }],
      '30',
    ],
    ['nothing', undefined, [], undefined],
  ])('429 Retry-After: %s', (_name, header, details, expected) => {
    const error = apiError(429, {
      error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details },
    });
    expect(mapGeminiError(error, { ...context, retryAfterHeader: header }).retryAfter).toBe(expected);
  });

  it('keeps a non-JSON error body readable', () => {
    const error = new ApiError({
      status: 502,
      message: '{"error":{"message":"<html>bad gateway</html>","code":502,"status":"Bad Gateway"}}',
    });
    expect(mapGeminiError(error, context)).toMatchObject({
      status: 502,
      message: '<html>bad gateway</html>',
    });
  });

  it.each([
    ['client cancelled', { cancelled: true }, 499],
    ['our deadline', { timedOut: true }, 504],
  ])('%s', (_name, extra, status) => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    expect(mapGeminiError(abort, { ...context, ...extra }).status).toBe(status);
  });

  it('transport failure → 502 without the key', () => {
    const mapped = mapGeminiError(
      new TypeError(`fetch failed for https://x/?key=${context.apiKey}`),
      context,
    );
    expect(mapped.status).toBe(502);
    expect(mapped.message).not.toContain(context.apiKey);
  });

  it('a body silent past the timeout (undici) → 504 timeout', () => {
    const mapped = mapGeminiError(
      Object.assign(new Error('Body Timeout Error'), {
        name: 'BodyTimeoutError',
        code: 'UND_ERR_BODY_TIMEOUT',
      }),
      context,
    );
    expect(mapped.status).toBe(504);
    expect(mapped.type).toBe('timeout');
  });

  it('passes GatewayError through', () => {
    const original = GatewayError.invalidRequest('bad', 'messages');
    expect(mapGeminiError(original, context)).toBe(original);
  });
});

describe('helpers', () => {
  it('parseGoogleErrorBody reads prefixed and plain bodies', () => {
    expect(parseGoogleErrorBody('got status: INTERNAL. {"error":{"code":500,"message":"m"}}')).toEqual({
      code: 500,
      message: 'm',
    });
    expect(parseGoogleErrorBody('not json')).toBeUndefined();
    expect(parseGoogleErrorBody('{broken')).toBeUndefined();
  });
  it('retryDelayFromDetails ignores other details', () => {
    expect(retryDelayFromDetails([{ '@type': 'type.googleapis.com/google.rpc.Help' }])).toBeUndefined();
  });
  it('redactSecrets removes configured keys, key= params and Google key shapes', () => {
    expect(redactSecrets('a secret-value b', 'secret-value')).toBe('a [redacted] b');
    expect(redactSecrets('https://h/p?alt=sse&key=abc123')).toBe('https://h/p?alt=sse&key=[redacted]');
    expect(redactSecrets('key AIzaSyA1234567890123456789012345')).toBe('key [redacted]');
  });
});
