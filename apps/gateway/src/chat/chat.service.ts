import { Inject, Injectable } from '@nestjs/common';
import type { CallReport, ChatCompletion, ChatCompletionChunk, ChatRequest, ProviderImageRules } from '@app/core';
import { peekFirst } from '../http/peek-first';
import { BackendRegistry } from '../routing/backend-registry';
import type { Route } from '../routing/model-router';

/** The image layer as the chat path sees it (libs/core/src/images): fits every image part to the backend. */
export interface ImagePreparer {
  prepare(request: ChatRequest, rules: ProviderImageRules, options: { signal: AbortSignal }): Promise<unknown>;
}
export const IMAGE_PREPARER = Symbol('ImagePreparer');

export interface ChatRunContext {
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  stream: boolean;
}

export type ChatRunResult =
  | { kind: 'completion'; completion: ChatCompletion; report: CallReport; route: Route }
  /** `chunks` has its first chunk already awaited: an error before it was thrown from `run`. */
  | { kind: 'stream'; chunks: AsyncIterable<ChatCompletionChunk>; report: CallReport; route: Route };

/**
 * The chat pipeline shared by every endpoint and layer: route the model, fit the images to the backend,
 * call the adapter. The response `model` is the name the client sent.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly backends: BackendRegistry,
    @Inject(IMAGE_PREPARER) private readonly images: ImagePreparer,
  ) {}

  async run(request: ChatRequest, context: ChatRunContext): Promise<ChatRunResult> {
    const clientModel = request.model;
    const route = this.backends.router.resolve(clientModel);
    await this.images.prepare(request, route.adapter.imageRules(route.upstreamModel), { signal: context.signal });
    const report: CallReport = { droppedParameters: [] };
    const options = { model: route.upstreamModel, signal: context.signal, requestId: context.requestId, report };
    if (!context.stream) {
      const completion = await route.adapter.complete(request, options);
      completion.model = clientModel;
      return { kind: 'completion', completion, report, route };
    }
    const chunks = await peekFirst(renameModel(route.adapter.stream(request, options), clientModel));
    return { kind: 'stream', chunks, report, route };
  }
}

async function* renameModel(
  chunks: AsyncIterable<ChatCompletionChunk>,
  model: string,
): AsyncIterable<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    chunk.model = model;
    yield chunk;
  }
}
