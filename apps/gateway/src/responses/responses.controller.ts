import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toGatewayError } from '../http/error-envelope';
import { abortOnClientClose } from '../http/client-abort';
import { logFinishedRequest, requestLog } from '../http/request-log';
import { SseWriter } from '../http/sse-writer';
import { reportHeaders } from '../chat/chat-response-headers';
import { ResponsesService } from './responses.service';

@Controller('v1')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  /**
   * JSON, or named server-sent events (`event: <type>`, `data: {...}`) with no `[DONE]` line, as OpenAI
   * streams the Responses API. The status is chosen after the upstream's first chunk.
   * @see https://platform.openai.com/docs/api-reference/responses-streaming
   */
  @Post('responses')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const log = requestLog(request);
    const signal = abortOnClientClose(reply);
    const result = await this.responses.run(request.body, { requestId: request.id, signal });
    log.model = result.kind === 'response' ? result.response.model : undefined;
    log.backend = result.route.backend.name;
    log.upstreamModel = result.route.upstreamModel;
    const headers = {
      ...reportHeaders({ droppedParameters: result.droppedParameters }, request.id),
      ...result.headers,
    };

    if (result.kind === 'response') {
      log.usage = result.usage;
      void reply
        .headers(headers)
        .header('content-type', 'application/json')
        .send(JSON.stringify(result.response));
      return;
    }

    log.stream = true;
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.open(200, headers);
    let status = 200;
    let nextSequence = 0;
    try {
      for await (const event of result.events) {
        if (writer.closed) break;
        nextSequence = event.sequence_number + 1;
        if (event.type === 'response.created') log.model = event.response.model;
        // The translator already turned an upstream failure into this event; the status is for the log line.
        if (event.type === 'error') status = 502;
        if (!writer.event(event.type, event)) await writer.drained();
      }
    } catch (error) {
      // Chunk errors never get here (they become `error` events); this would be a bug in the bridge.
      const gatewayError = toGatewayError(error);
      log.error = gatewayError;
      status = gatewayError.status;
      if (!writer.closed) {
        const { message, code } = gatewayError;
        writer.event('error', { type: 'error', code, message, param: null, sequence_number: nextSequence });
      }
    } finally {
      writer.end();
      log.usage = result.usage();
      logFinishedRequest(request, signal.aborted ? 499 : status, startedAt);
    }
  }
}
