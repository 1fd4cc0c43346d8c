import { HttpException } from '@nestjs/common';
import { GatewayError, errorTypeForStatus } from '@app/core';

/** Fastify's own errors (body parsing, limits) → the status OpenAI clients expect. */
const FASTIFY_ERRORS: Record<string, { status: number; message: string; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than this gateway accepts.',
    code: 'request_too_large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    message: "Unsupported content type: send the body as 'application/json'.",
    code: 'unsupported_media_type',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    message: 'The request body is empty; expected JSON.',
    code: 'invalid_json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    message: 'The request body is not valid JSON.',
    code: 'invalid_json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    message: 'The Content-Length does not match the body.',
    code: 'invalid_request',
  },
};

/** Any thrown value → a GatewayError (the one shape the app writes as the OpenAI envelope). */
export function toGatewayError(exception: unknown): GatewayError {
  if (exception instanceof GatewayError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const known = Object.values(FASTIFY_ERRORS).find((entry) => entry.status === status && status !== 400);
    if (known) return new GatewayError(known.status, known.message, { code: known.code });
    const message =
      status === 404
        ? 'Unknown request URL. See the API reference for the supported routes.'
        : exception.message;
    return new GatewayError(status, message, {
      type: errorTypeForStatus(status),
      code: status === 404 ? 'unknown_url' : null,
    });
  }
  const fastifyError = exception as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof fastifyError.code === 'string' && FASTIFY_ERRORS[fastifyError.code]) {
    const known = FASTIFY_ERRORS[fastifyError.code];
    return new GatewayError(known.status, known.message, { code: known.code });
  }
  if (exception instanceof SyntaxError || fastifyError.statusCode === 400) {
    return GatewayError.invalidRequest(
      'We could not parse the JSON body of your request. Send valid JSON with Content-Type: application/json.',
      null,
      'invalid_json',
    );
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new GatewayError(fastifyError.statusCode, String(fastifyError.message ?? 'Bad request.'));
  }
  return new GatewayError(500, 'The gateway had an internal error.', {
    type: 'server_error',
    code: 'internal_error',
  });
}
