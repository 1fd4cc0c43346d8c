import {
  ALL_IMAGE_MEDIA_TYPES,
  GatewayError,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type ModelInfo,
  type ProviderAdapter,
  type ProviderImageRules,
} from '@app/core';
import {
  applyLimits,
  joinReadings,
  newAnswer,
  toChunks,
  toCompletion,
  type LocalOcrAnswer,
} from './build-local-ocr-response';
import { decideLocalOcrParameters } from './decide-local-ocr-parameters';
import { imagesOfLastUserMessage } from './images-of-last-user-message';
import type { OcrEngine } from './tesseract-engine';

export const LOCAL_OCR_MODEL = 'local-ocr';

/**
 * The built-in OCR engine as a chat backend: it answers with the text it reads in the images of the last user
 * message (instructions in the prompt are not followed: it is a reader, not a language model).
 */
export class LocalOcrAdapter implements ProviderAdapter {
  constructor(
    readonly name: string,
    private readonly engine: OcrEngine,
    private readonly timeoutMs: number,
  ) {}

  imageRules(): ProviderImageRules {
    // The image layer fetches URLs and inlines them; the engine decodes all four formats itself (via sharp).
    return { acceptsImageUrls: false, acceptedMediaTypes: ALL_IMAGE_MEDIA_TYPES };
  }

  async listModels(): Promise<readonly ModelInfo[]> {
    return [{ id: LOCAL_OCR_MODEL, ownedBy: this.name }];
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    return toCompletion(await this.read(request, options));
  }

  async *stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatCompletionChunk> {
    // The whole reading happens before the first chunk, so every failure is still a real HTTP status.
    yield* toChunks(await this.read(request, options));
  }

  async close(): Promise<void> {
    await this.engine.close();
  }

  private async read(request: ChatRequest, options: CallOptions): Promise<LocalOcrAnswer> {
    const parameters = decideLocalOcrParameters(request);
    const images = imagesOfLastUserMessage(request);
    options.report.droppedParameters.push(...parameters.dropped);
    const signal = withTimeout(options.signal, this.timeoutMs, this.name);
    try {
      // The pool bounds the parallelism; images beyond the pool size wait for a free worker.
      const readings = await Promise.all(
        images.map((image) => this.engine.recognize(image.bytes, image.param, signal.signal)),
      );
      const limited = applyLimits(joinReadings(readings), parameters);
      return newAnswer(options.model, limited.text, limited.finishReason);
    } finally {
      signal.dispose();
    }
  }
}

const MAX_TIMER_MS = 2_147_483_647;

/** The client's signal plus the backend timeout; aborts carry the GatewayError to report (499 or 504). */
function withTimeout(
  client: AbortSignal,
  timeoutMs: number,
  provider: string,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(GatewayError.cancelled());
  if (client.aborted) onClientAbort();
  else client.addEventListener('abort', onClientAbort, { once: true });
  // No timer for a missing or out-of-range timeout (setTimeout fires at once beyond 2^31-1 ms).
  const timer =
    timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
      ? setTimeout(
          () =>
            controller.abort(
              GatewayError.timeout(`The local OCR engine did not finish within ${timeoutMs} ms.`, provider),
            ),
          timeoutMs,
        )
      : undefined;
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      client.removeEventListener('abort', onClientAbort);
    },
  };
}
