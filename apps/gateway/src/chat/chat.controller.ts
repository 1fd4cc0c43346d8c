import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletionChunk } from '@app/core';
import { toGatewayError } from '../http/error-envelope';
import { abortOnClientClose } from '../http/client-abort';
import { logFinishedRequest, requestLog } from '../http/request-log';
import { SseWriter } from '../http/sse-writer';
import { ChatChunkJson } from './chat-chunk-json';
import { reportHeaders } from './chat-response-headers';
import { ChatService } from './chat.service';
import { validateChatRequest } from './validate-chat-request';

@Controller('v1')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  /** @see https://platform.openai.com/docs/api-reference/chat/create */
  @Post('chat/completions')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const { request: chatRequest, stream, includeUsage } = validateChatRequest(request.body);
    const log = requestLog(request);
    log.model = chatRequest.model;
    log.stream = stream;
    const signal = abortOnClientClose(reply);
    const result = await this.chat.run(chatRequest, { requestId: request.id, signal, stream });
    log.backend = result.route.backend.name;
    log.upstreamModel = result.route.upstreamModel;
    const headers = { ...reportHeaders(result.report, request.id), ...result.headers };

    if (result.kind === 'completion') {
      log.usage = result.completion.usage;
      void reply
        .headers(headers)
        .header('content-type', 'application/json')
        .send(JSON.stringify(result.completion));
      return;
    }

    reply.hijack();
    const writer = new SseWriter(reply.raw);
    const chunkJson = new ChatChunkJson();
    writer.open(200, headers);
    let status = 200;
    try {
      for await (const chunk of result.chunks) {
        if (writer.closed) break;
        if (chunk.usage) log.usage = chunk.usage;
        if (!forward(chunk, includeUsage)) continue;
        if (!writer.json(chunkJson.write(chunk))) await writer.drained();
      }
      writer.done();
    } catch (error) {
      const gatewayError = toGatewayError(error);
      log.error = gatewayError;
      status = gatewayError.status;
      writer.error(gatewayError);
      writer.end();
    } finally {
      logFinishedRequest(request, signal.aborted ? 499 : status, startedAt);
    }
  }
}

/**
 * `stream_options.include_usage`: with it, every chunk carries `usage: null` and one final chunk
 * (`choices: []`) the usage, as OpenAI sends; without it, no usage at all.
 */
function forward(chunk: ChatCompletionChunk, includeUsage: boolean): boolean {
  const isUsageChunk = chunk.choices.length === 0;
  if (!includeUsage) {
    if (isUsageChunk) return false;
    if (chunk.usage !== undefined) delete chunk.usage;
    return true;
  }
  if (!isUsageChunk) chunk.usage = null;
  return true;
}
