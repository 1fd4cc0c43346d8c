import { Injectable } from '@nestjs/common';
import {
  chatChunksToResponseEvents,
  convertChatCompletion,
  convertResponsesRequest,
  createResponseSkeleton,
  randomResponseIds,
  type ChatCompletionChunk,
  type CompletionUsage,
  type ResponsesApiResponse,
  type ResponseStreamEvent,
} from '@app/core';
import { ChatService } from '../chat/chat.service';
import { validateChatRequest } from '../chat/validate-chat-request';
import type { Route } from '../routing/model-router';
import { remapErrorParam, remapStreamErrors } from './remap-error-param';

export interface ResponsesRunContext {
  requestId: string;
  signal: AbortSignal;
}

interface RunInfo {
  route: Route;
  /** The bridge's documented drops and the adapter's, for `x-iris-dropped-params`. */
  droppedParameters: string[];
  /** Extra response headers from a chat layer (OCR mode's `x-iris-ocr-usage`). */
  headers?: Record<string, string>;
}

export type ResponsesRunResult =
  | (RunInfo & { kind: 'response'; response: ResponsesApiResponse; usage?: CompletionUsage })
  /** `events` starts with `response.created`; the upstream's first chunk has already arrived. */
  | (RunInfo & {
      kind: 'stream';
      events: AsyncIterable<ResponseStreamEvent>;
      usage: () => CompletionUsage | undefined;
    });

/**
 * `POST /v1/responses` as a layer over chat: convert the request, run it through the chat pipeline
 * (routing, images, adapters, exactly as /v1/chat/completions), convert the answer back.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
@Injectable()
export class ResponsesService {
  constructor(private readonly chat: ChatService) {}

  async run(body: unknown, context: ResponsesRunContext): Promise<ResponsesRunResult> {
    const converted = convertResponsesRequest(body);
    const { chatRequest, origins, stream } = converted;
    let result: Awaited<ReturnType<ChatService['run']>>;
    try {
      // The chat path's own rules apply too; their errors name the Responses paths.
      validateChatRequest(chatRequest);
      result = await this.chat.run(chatRequest, {
        requestId: context.requestId,
        signal: context.signal,
        stream,
      });
    } catch (error) {
      throw remapErrorParam(error, origins);
    }
    const skeleton = createResponseSkeleton(
      { id: randomResponseIds.next('resp'), createdAt: nowSeconds(), model: chatRequest.model },
      converted.echo,
    );
    const info: RunInfo = {
      route: result.route,
      droppedParameters: [...converted.droppedParameters, ...result.report.droppedParameters],
      headers: result.headers,
    };
    if (result.kind === 'completion') {
      const response = convertChatCompletion(result.completion, skeleton, randomResponseIds, nowSeconds());
      // A layer's breakdown (OCR mode's `x_iris.ocr`) is kept on the Response as on the chat completion.
      const iris = (result.completion as { x_iris?: unknown }).x_iris;
      if (iris !== undefined) (response as { x_iris?: unknown }).x_iris = iris;
      return { ...info, kind: 'response', response, usage: result.completion.usage };
    }
    let usage: CompletionUsage | undefined;
    const chunks = watchUsage(remapStreamErrors(result.chunks, origins), (seen) => (usage = seen));
    const events = chatChunksToResponseEvents(chunks, skeleton, { ids: randomResponseIds, now: nowSeconds });
    return { ...info, kind: 'stream', events, usage: () => usage };
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

async function* watchUsage(
  chunks: AsyncIterable<ChatCompletionChunk>,
  onUsage: (usage: CompletionUsage) => void,
): AsyncGenerator<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    if (chunk.usage) onUsage(chunk.usage);
    yield chunk;
  }
}
