import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { GatewayError } from '@app/core';
import { mapOpenAiError } from './map-openai-error';

const body = (message: string, type: string, code: string | null = null, param: string | null = null) => ({
  message,
  type,
  code,
  param,
});

describe('mapOpenAiError', () => {
  it.each([
    [
      400,
      body('Invalid value for temperature.', 'invalid_request_error', null, 'temperature'),
      400,
      'invalid_request_error',
    ],
    [
      401,
      body('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      401,
      'invalid_request_error',
    ],
    [403, body('Country not supported.', 'permission_error'), 403, 'permission_error'],
    [
      404,
      body('The model does not exist.', 'invalid_request_error', 'model_not_found'),
      404,
      'invalid_request_error',
    ],
    [429, body('Rate limit reached.', 'requests', 'rate_limit_exceeded'), 429, 'requests'],
    [500, body('The server had an error.', 'server_error'), 500, 'server_error'],
    [503, body('The engine is overloaded.', 'server_error'), 503, 'service_unavailable'],
    [529, body('Overloaded.', 'overloaded_error'), 503, 'service_unavailable'],
  ])('upstream %s → %s, message, type, param and code kept', (status, error, mappedStatus, type) => {
    const mapped = mapOpenAiError(APIError.generate(status, { error }, undefined, new Headers()), 'openai');
    expect(mapped).toBeInstanceOf(GatewayError);
    expect(mapped).toMatchObject({
      status: mappedStatus,
      type,
      message: error.message,
      code: error.code,
      param: error.param,
    });
  });

  it('keeps Retry-After', () => {
    const error = APIError.generate(
      429,
      { error: body('Slow down.', 'requests') },
      undefined,
      new Headers({ 'retry-after': '12' }),
    );
    expect(mapOpenAiError(error, 'openai').retryAfter).toBe('12');
  });

  it('an error event inside a stream (no status) → 502 with the upstream message', () => {
    const error = new APIError(
      undefined,
      body('The server had an error while processing your request.', 'server_error'),
      undefined,
      undefined,
    );
    expect(mapOpenAiError(error, 'openai')).toMatchObject({
      status: 502,
      message: 'The server had an error while processing your request.',
    });
  });

  it.each([
    ['a timeout', new APIConnectionTimeoutError(), 504, 'upstream_timeout'],
    [
      'a body silent past the timeout (undici)',
      Object.assign(new Error('Body Timeout Error'), {
        name: 'BodyTimeoutError',
        code: 'UND_ERR_BODY_TIMEOUT',
      }),
      504,
      'upstream_timeout',
    ],
    [
      'an unreachable upstream',
      new APIConnectionError({ message: 'connect ECONNREFUSED' }),
      502,
      'upstream_unreachable',
    ],
    ['a client abort', new APIUserAbortError(), 499, 'client_closed_request'],
    ['an unknown failure', new TypeError('boom'), 502, 'upstream_error'],
  ])('%s → %s', (_name, error, status, code) => {
    expect(mapOpenAiError(error, 'ollama')).toMatchObject({ status, code });
  });

  it('never puts the upstream URL or key into the message', () => {
    const error = new APIConnectionError({ message: 'connect ECONNREFUSED http://sk-secret@10.0.0.1' });
    expect(mapOpenAiError(error, 'ollama').message).toBe("Could not reach the 'ollama' upstream.");
  });
});
