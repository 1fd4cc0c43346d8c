import OpenAI from 'openai';
import {
  deferImageStrings,
  PASS_THROUGH_IMAGE_RULES,
  createBackendFetch,
  type BackendSettings,
  type CallOptions,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type ModelInfo,
  type ProviderAdapter,
  type ProviderImageRules,
} from '@app/core';
import { mapOpenAiError } from './map-openai-error';
import { OpenAiClient } from './openai-client';
import { openAiStreamChunks } from './openai-stream-chunks';

/**
 * OpenAI and OpenAI-compatible servers (vLLM, Ollama, LM Studio, OpenRouter): the request is already in
 * their format, so it passes through with the upstream model name; the SDK's retries are off (the gateway
 * owns retry policy) and connections are pooled.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly name: string;
  private readonly client: OpenAI;
  /** Some compatible servers reject `stream_options`; `options.streamUsage: false` turns it off. */
  private readonly streamUsage: boolean;

  constructor(backend: BackendSettings) {
    this.name = backend.name;
    this.streamUsage = backend.options.streamUsage !== false;
    this.client = new OpenAiClient({
      // Local servers need no key; the SDK insists on a string.
      apiKey: backend.apiKey ?? 'no-key',
      baseURL: backend.baseUrl ?? 'https://api.openai.com/v1',
      maxRetries: 0,
      timeout: backend.timeoutMs,
      defaultHeaders: backend.headers,
      fetch: createBackendFetch(backend.timeoutMs),
    });
  }

  imageRules(): ProviderImageRules {
    return PASS_THROUGH_IMAGE_RULES;
  }

  async listModels(): Promise<readonly ModelInfo[]> {
    try {
      const page = await this.client.models.list();
      return page.data.map((model) => ({ id: model.id, ownedBy: this.name, created: model.created }));
    } catch (error) {
      throw mapOpenAiError(error, this.name);
    }
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    try {
      return await this.client.chat.completions.create(
        deferImageStrings({ ...request, model: options.model, stream: false }, request),
        { signal: options.signal },
      );
    } catch (error) {
      throw mapOpenAiError(error, this.name);
    }
  }

  async *stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatCompletionChunk> {
    try {
      // The SDK makes the call, within its timeout until the headers; its SSE body is read here, one upstream
      // read's chunks at a time, within the transport's body timeout (createBackendFetch).
      const response = await this.client.chat.completions
        .create(
          deferImageStrings(
            {
              ...request,
              model: options.model,
              stream: true as const,
              ...(this.streamUsage ? { stream_options: { include_usage: true } } : {}),
            },
            request,
          ),
          { signal: options.signal },
        )
        .asResponse();
      for await (const chunks of openAiStreamChunks(response)) {
        for (const chunk of chunks) yield chunk;
      }
    } catch (error) {
      throw mapOpenAiError(error, this.name);
    }
  }
}
