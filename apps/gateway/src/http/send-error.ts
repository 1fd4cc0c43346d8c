import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayError } from '@app/core';
import { requestLog } from './request-log';

/** Writes the OpenAI error envelope, unless the client is gone or the status line is already out. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: GatewayError,
  cause?: unknown,
): void {
  const log = requestLog(request);
  log.error = error;
  if (error.status >= 500 && error.status !== 503 && error.status !== 504 && error.provider === undefined) {
    request.log.error(
      { err: cause instanceof Error ? { message: cause.message, stack: cause.stack } : cause },
      'internal error',
    );
  }
  if (reply.raw.headersSent || reply.raw.destroyed) {
    if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  if (error.status === 499) {
    // The client closed the request: nobody is listening.
    reply.raw.destroy();
    return;
  }
  if (error.retryAfter) void reply.header('retry-after', error.retryAfter);
  void reply
    .status(error.status)
    .header('content-type', 'application/json')
    .send(JSON.stringify(error.toEnvelope()));
}
