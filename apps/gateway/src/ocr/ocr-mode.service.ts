import { Inject, Injectable } from '@nestjs/common';
import {
  applyOcrMode,
  GatewayError,
  imagePartOf,
  isGatewayError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type Logger,
  type OcrAnalyser,
  type OcrCache,
} from '@app/core';
import type { GatewayConfig } from '../config/gateway-config';
import { GATEWAY_CONFIG, GATEWAY_LOGGER } from '../gateway.tokens';
import { BackendRegistry } from '../routing/backend-registry';
import type { ChatRunContext, ChatRunResult } from '../chat/chat.service';
import { exactModelNames, ocrModeOf } from './ocr-mode-of';
import { addOcrUsage, OCR_USAGE_HEADER, ocrUsageHeader, type OcrBreakdown } from './ocr-usage-report';

export const OCR_CACHE = Symbol('OcrCache');

/** The plain chat pipeline (route, image layer, adapter) that OCR mode runs the analyses and the target through. */
export type ChatRunner = (request: ChatRequest, context: ChatRunContext) => Promise<ChatRunResult>;

/** What OCR mode adds to a chat result: response headers for the controller. */
export type OcrRunResult = ChatRunResult & { headers: Record<string, string> };

/**
 * OCR mode as a layer over chat: analyses every image with the OCR model (through the normal pipeline), puts
 * the labelled analyses in place of the images, strips `ocr_model`, then runs the target model and adds the
 * analyses' usage to its response.
 */
@Injectable()
export class OcrModeService {
  private readonly exactNames: ReadonlySet<string>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(BackendRegistry) private readonly backends: BackendRegistry,
    @Inject(OCR_CACHE) private readonly cache: OcrCache,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.exactNames = exactModelNames(config);
    // A configured fallback that does not route is the operator's error: fail at boot, naming it.
    config.ocr.fallbackModels.forEach((model, index) => {
      try {
        this.backends.router.resolve(model);
      } catch {
        throw new Error(`Invalid configuration: ocr.fallbackModels[${index}]: '${model}' is not routable`);
      }
    });
  }

  /** Undefined when the request is not in OCR mode (the caller then runs it as usual). */
  async run(
    request: ChatRequest,
    context: ChatRunContext,
    next: ChatRunner,
  ): Promise<OcrRunResult | undefined> {
    const mode = ocrModeOf(request, this.config.ocr.defaultModel, this.exactNames);
    if (!mode) return undefined;
    // The target must never see the extension field.
    delete (request as unknown as Record<string, unknown>).ocr_model;
    // Both models must route before any analysis is paid for.
    this.backends.router.resolve(mode.targetModel);
    this.checkRoutable(mode.ocrModel);

    const analyse: OcrAnalyser = async (image, prompt, signal, model) => {
      const analysisRequest: ChatRequest = {
        model,
        messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, imagePartOf(image)] }],
      };
      const result = await next(analysisRequest, { requestId: context.requestId, signal, stream: false });
      if (result.kind !== 'completion')
        throw new GatewayError(500, 'The analysis call did not return a completion.');
      const message = result.completion.choices[0]?.message;
      return { text: message?.content ?? message?.refusal ?? '', usage: result.completion.usage };
    };
    const ocr = await applyOcrMode(request, {
      ocrModel: mode.ocrModel,
      fallbackModels: this.config.ocr.fallbackModels.filter((model) => model !== mode.ocrModel),
      analyse,
      cache: this.cache,
      concurrency: this.config.ocr.concurrency,
      signal: context.signal,
      logger: this.logger,
    });
    const breakdown: OcrBreakdown = { model: mode.ocrModel, images: ocr.analyses, usage: ocr.usage };

    request.model = mode.targetModel;
    const target = await next(request, context);
    const headers = { [OCR_USAGE_HEADER]: ocrUsageHeader(breakdown) };
    if (target.kind === 'completion') {
      return { ...target, completion: withOcr(target.completion, mode.clientModel, breakdown), headers };
    }
    return { ...target, chunks: chunksWithOcr(target.chunks, mode.clientModel, breakdown), headers };
  }

  /** An OCR model that does not route is the client's (or the operator's) error, named as such. */
  private checkRoutable(ocrModel: string): void {
    try {
      this.backends.router.resolve(ocrModel);
    } catch (error) {
      if (!isGatewayError(error) || error.status !== 404) throw error;
      throw new GatewayError(
        404,
        `The OCR model '${ocrModel}' is not routed by this gateway. ${error.message}`,
        {
          type: 'invalid_request_error',
          param: 'ocr_model',
          code: 'model_not_found',
        },
      );
    }
  }
}

type WithIris<T> = T & { x_iris?: Record<string, unknown> };

function withOcr(completion: ChatCompletion, clientModel: string, breakdown: OcrBreakdown): ChatCompletion {
  const decorated = completion as WithIris<ChatCompletion>;
  decorated.model = clientModel;
  decorated.usage = addOcrUsage(completion.usage, breakdown.usage);
  decorated.x_iris = { ...decorated.x_iris, ocr: breakdown };
  return decorated;
}

/** The target's stream under the client's model name; its usage chunk carries the analyses too. */
async function* chunksWithOcr(
  chunks: AsyncIterable<ChatCompletionChunk>,
  clientModel: string,
  breakdown: OcrBreakdown,
): AsyncIterable<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    chunk.model = clientModel;
    if (chunk.usage) {
      chunk.usage = addOcrUsage(chunk.usage, breakdown.usage);
      const decorated = chunk as WithIris<ChatCompletionChunk>;
      decorated.x_iris = { ...decorated.x_iris, ocr: breakdown };
    }
    yield chunk;
  }
}
