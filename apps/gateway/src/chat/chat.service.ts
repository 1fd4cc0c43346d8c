import { Inject, Injectable, Optional } from '@nestjs/common';
import type {
  CallReport,
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ProviderImageRules,
} from '@app/core';
import { releaseDeferredStrings } from '@app/core';
import { peekFirst } from '../http/peek-first';
import { BackendRegistry } from '../routing/backend-registry';
import type { Route } from '../routing/model-router';
import { OcrModeService } from '../ocr/ocr-mode.service';

/** The image layer as the chat path sees it (libs/core/src/images): fits every image part to the backend. */
export interface ImagePreparer {
  prepare(
    request: ChatRequest,
    rules: ProviderImageRules,
    options: { signal: AbortSignal },
  ): Promise<unknown>;
}
export const IMAGE_PREPARER = Symbol('ImagePreparer');

export interface ChatRunContext {
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  stream: boolean;
}

/** `headers`: extra response headers from a layer (OCR mode's `x-iris-ocr-usage`). */
export type ChatRunResult =
  | {
      kind: 'completion';
      completion: ChatCompletion;
      report: CallReport;
      route: Route;
      headers?: Record<string, string>;
    }
  /** `chunks` has its first chunk already awaited: an error before it was thrown from `run`. */
  | {
      kind: 'stream';
      chunks: AsyncIterable<ChatCompletionChunk>;
      report: CallReport;
      route: Route;
      headers?: Record<string, string>;
    };

/**
 * The chat pipeline shared by every endpoint and layer: route the model, fit the images to the backend,
 * call the adapter. The response `model` is the name the client sent.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly backends: BackendRegistry,
    @Inject(IMAGE_PREPARER) private readonly images: ImagePreparer,
    @Optional() @Inject(OcrModeService) private readonly ocrMode?: OcrModeService,
  ) {}

  async run(request: ChatRequest, context: ChatRunContext): Promise<ChatRunResult> {
    // OCR mode (apps/gateway/src/ocr) is a layer: it runs the analyses and then the target through runDirect.
    const ocr = await this.ocrMode?.run(request, context, (next, nextContext) =>
      this.runDirect(next, nextContext),
    );
    return ocr ?? this.runDirect(request, context);
  }

  private async runDirect(request: ChatRequest, context: ChatRunContext): Promise<ChatRunResult> {
    const clientModel = request.model;
    const route = this.backends.router.resolve(clientModel);
    await this.images.prepare(request, route.adapter.imageRules(route.upstreamModel), {
      signal: context.signal,
    });
    const report: CallReport = { droppedParameters: [] };
    const options = {
      model: route.upstreamModel,
      signal: context.signal,
      requestId: context.requestId,
      report,
    };
    // Once the call settles (a stream: its first chunk), every upstream fetch of it has been made, so any
    // image string it deferred and did not send is released now rather than by the sweep.
    try {
      if (!context.stream) {
        const completion = await route.adapter.complete(request, options);
        completion.model = clientModel;
        return { kind: 'completion', completion, report, route };
      }
      const chunks = await peekFirst(route.adapter.stream(request, options), (chunk) => {
        chunk.model = clientModel;
      });
      return { kind: 'stream', chunks, report, route };
    } finally {
      releaseDeferredStrings(request);
    }
  }
}
