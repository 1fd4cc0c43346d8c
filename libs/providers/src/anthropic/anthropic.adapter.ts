import type Anthropic from '@anthropic-ai/sdk';
import {
  deferImageStrings,
  ALL_IMAGE_MEDIA_TYPES,
  GatewayError,
  type BackendSettings,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type Logger,
  type ModelInfo,
  type ProviderAdapter,
  type ProviderContext,
  type ProviderImageRules,
} from '@app/core';
import { parseAnthropicBackendOptions, type AnthropicBackendOptions } from './anthropic-backend-options';
import { resolveAnthropicModelSettings, type AnthropicModelSettings } from './anthropic-model-settings';
import { anthropicStreamEvents } from './anthropic-stream-events';
import { createAnthropicChunkTranslator } from './anthropic-stream-to-chunks';
import { convertAnthropicResponse } from './convert-anthropic-response';
import { convertToAnthropicRequest, type AnthropicRequestPlan } from './convert-to-anthropic-request';
import { createAnthropicClient } from './create-anthropic-client';
import { mapAnthropicError } from './map-anthropic-error';
import { mergeChoiceStreams } from './merge-choice-streams';

/** @see https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size */
/**
 * Claude's image limits: 5 MB per image counted on the base64 text (not the decoded bytes), 8000 px per
 * side, 2000 px per side when a request has more than 20 images.
 * @see https://docs.claude.com/en/docs/build-with-claude/vision
 */
const MAX_IMAGE_BASE64_LENGTH = 5 * 1024 * 1024;
const MAX_IMAGE_SIDE = 8000;
const MANY_IMAGES = { moreThan: 20, maxImageSide: 2000 };
/** Upper bound on parallel upstream calls for one request (`n`). */
const MAX_CHOICES = 8;
const MODEL_LIST_TTL_MS = 10 * 60 * 1000;

/**
 * Claude through the Messages API: converters do the translation, this class wires the SDK, the
 * client's abort signal and `n` parallel calls.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name: string;
  private readonly client: Anthropic;
  private readonly options: AnthropicBackendOptions;
  private readonly logger?: Logger;
  private modelList?: { at: number; models: Promise<readonly ModelInfo[]> };

  constructor(
    private readonly backend: BackendSettings,
    context?: ProviderContext,
  ) {
    this.name = backend.name;
    this.logger = context?.logger;
    this.options = parseAnthropicBackendOptions(backend.options);
    // Fail at boot, not on the first request, when a model's settings are wrong.
    for (const [model, raw] of Object.entries(backend.modelOptions))
      resolveAnthropicModelSettings(model, raw);
    this.client = createAnthropicClient(backend);
  }

  imageRules(): ProviderImageRules {
    return {
      acceptsImageUrls: !this.options.inlineImageUrls,
      acceptedMediaTypes: ALL_IMAGE_MEDIA_TYPES,
      maxBase64Length: MAX_IMAGE_BASE64_LENGTH,
      maxImageSide: MAX_IMAGE_SIDE,
      manyImages: MANY_IMAGES,
    };
  }

  /** Discovery through the SDK's models list, cached for ten minutes (a failure is not cached). */
  listModels(): Promise<readonly ModelInfo[]> {
    if (!this.modelList || Date.now() - this.modelList.at > MODEL_LIST_TTL_MS) {
      const models = this.fetchModels();
      this.modelList = { at: Date.now(), models };
      models.catch(() => (this.modelList = undefined));
    }
    return this.modelList.models;
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    const plan = this.plan(request, options);
    const count = choiceCount(request);
    // n > 1: one failed choice stops the others (a linked signal costs a little, so only then).
    const scope = count > 1 ? new AbortController() : undefined;
    const signal = scope ? AbortSignal.any([options.signal, scope.signal]) : options.signal;
    try {
      const messages = await Promise.all(
        Array.from({ length: count }, () =>
          this.client.messages.create(deferImageStrings({ ...plan.body, stream: false }, request), {
            signal,
          }),
        ),
      );
      return convertAnthropicResponse(messages, {
        model: options.model,
        structuredOutputTool: plan.structuredOutputTool,
        logger: this.logger,
      });
    } catch (error) {
      scope?.abort(); // one choice failed: stop the others
      throw mapAnthropicError(error, this.name, options.signal);
    }
  }

  stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatCompletionChunk> {
    // One choice: the choice's own generator, without a delegating layer (one fewer hop per chunk).
    return choiceCount(request) === 1
      ? this.streamChoice(request, options, 0)
      : this.streamChoices(request, options);
  }

  /** n > 1: n upstream streams merged under one id, each chunk carrying its choice index. */
  private async *streamChoices(
    request: ChatRequest,
    options: CallOptions,
  ): AsyncGenerator<ChatCompletionChunk> {
    const plan = this.plan(request, options);
    const shared = { id: `chatcmpl-${options.requestId}`, created: Math.floor(Date.now() / 1000) };
    yield* mergeChoiceStreams(
      Array.from({ length: choiceCount(request) }, (_, index) =>
        this.streamChoice(request, options, index, shared, plan),
      ),
    );
  }

  private async *streamChoice(
    request: ChatRequest,
    options: CallOptions,
    choiceIndex: number,
    shared: { id?: string; created?: number } = {},
    planned?: AnthropicRequestPlan,
  ): AsyncGenerator<ChatCompletionChunk> {
    const plan = planned ?? this.plan(request, options);
    const translator = createAnthropicChunkTranslator({
      model: options.model,
      structuredOutputTool: plan.structuredOutputTool,
      choiceIndex,
      ...shared,
      logger: this.logger,
      signal: options.signal,
    });
    try {
      // Each upstream call gets its own deferred image strings (single-use; see deferImageStrings). The SDK
      // makes the call, within its timeout until the headers; its SSE body is read here, one upstream read's
      // events at a time, within the transport's body timeout (createBackendFetch).
      const response = await this.client.messages
        .create({ ...deferImageStrings(plan.body, request), stream: true }, { signal: options.signal })
        .asResponse();
      for await (const events of anthropicStreamEvents(response)) {
        for (const chunk of translator.translate(events)) yield chunk;
      }
      translator.finish();
    } catch (error) {
      throw mapAnthropicError(error, this.name, options.signal);
    }
  }

  /** Converts the request and reports what was dropped before anything is sent. */
  private plan(request: ChatRequest, options: CallOptions): AnthropicRequestPlan {
    const plan = convertToAnthropicRequest(request, options.model, this.modelSettings(options.model));
    for (const name of plan.droppedParameters) {
      if (!options.report.droppedParameters.includes(name)) options.report.droppedParameters.push(name);
    }
    return plan;
  }

  private modelSettings(model: string): AnthropicModelSettings {
    return resolveAnthropicModelSettings(model, this.backend.modelOptions[model]);
  }

  private async fetchModels(): Promise<readonly ModelInfo[]> {
    try {
      const models: ModelInfo[] = [];
      for await (const model of this.client.models.list({ limit: 1000 })) {
        models.push({
          id: model.id,
          ownedBy: this.name,
          created: Math.floor(Date.parse(model.created_at) / 1000) || undefined,
        });
      }
      return models;
    } catch (error) {
      throw mapAnthropicError(error, this.name);
    }
  }
}

/** `n`: 1..8 parallel upstream calls (Claude has no `n`). */
function choiceCount(request: ChatRequest): number {
  const count = request.n ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_CHOICES) {
    throw GatewayError.invalidRequest(
      `n must be an integer from 1 to ${MAX_CHOICES} for Claude models.`,
      'n',
    );
  }
  return count;
}
