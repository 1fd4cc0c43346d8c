import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toGatewayError } from './error-envelope';
import { sendError } from './send-error';

/** The one catch-all: every failure leaves as `{"error":{"message","type","param","code"}}`. */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      toGatewayError(exception),
      exception,
    );
  }
}
