import type { GenerateContentConfig, GoogleGenAI } from '@google/genai';
import type { Agent } from 'undici';
import {
  deferImageStrings,
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
import { AnswerDeadline } from './answer-deadline';
import { convertGeminiResponse } from './convert-gemini-response';
import { convertToGeminiRequest, type GeminiRequest } from './convert-to-gemini-request';
import { createGeminiClient, fetchRecordingResponse } from './create-gemini-client';
import { geminiImageRules, parseGeminiModelOptions, type GeminiModelOptions } from './gemini-options';
import { geminiStreamEvents } from './gemini-stream-events';
import { createGeminiChunkTranslator } from './gemini-stream-to-chunks';
import { mapGeminiError } from './map-gemini-error';

/** One upstream call: its deadline, its response and what the error mapper needs to know. */
interface UpstreamCall {
  config: Pick<GenerateContentConfig, 'httpOptions' | 'automaticContinuation' | 'automaticFunctionCalling'>;
  /** The upstream response, once the SDK's fetch has it (a stream's body is read from it). */
  response(): Response;
  /** The upstream response was read to its end: `end` has nothing left to abort. */
  finished(): void;
  /** Aborts the upstream request if it is still open and clears the timer. */
  end(): void;
  fail(error: unknown): Error;
}

/**
 * Gemini through `@google/genai` (generateContent / streamGenerateContent?alt=sse). Converters do the
 * translation; this class wires the SDK, the client's abort signal, the deadline and error mapping.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly name: string;
  private readonly client: GoogleGenAI;
  private readonly dispatcher: Agent;
  private readonly transport: typeof fetch;
  private readonly logger?: Logger;

  constructor(
    private readonly backend: BackendSettings,
    context?: ProviderContext,
  ) {
    this.name = backend.name;
    this.logger = context?.logger;
    // Fail at boot, not on the first request, when a model's settings are wrong.
    for (const [model, raw] of Object.entries(backend.modelOptions)) parseGeminiModelOptions(model, raw);
    ({
      client: this.client,
      dispatcher: this.dispatcher,
      transport: this.transport,
    } = createGeminiClient(backend));
  }

  imageRules(model: string): ProviderImageRules {
    return geminiImageRules(this.modelOptions(model));
  }

  /**
   * Upstream discovery (`discoverModels: true`): the models that support generateContent, by their short
   * name (`models/gemini-2.5-flash` → `gemini-2.5-flash`). The app caches the list.
   * @see https://ai.google.dev/api/models#method:-models.list
   */
  async listModels(): Promise<readonly ModelInfo[]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.backend.timeoutMs);
    try {
      const pager = await this.client.models.list({
        config: { pageSize: 1000, abortSignal: controller.signal },
      });
      const models: ModelInfo[] = [];
      for await (const model of pager) {
        const id = model.name?.replace(/^models\//, '');
        if (id && (model.supportedActions ?? ['generateContent']).includes('generateContent')) {
          models.push({ id, ownedBy: this.name });
        }
      }
      return models;
    } catch (error) {
      throw mapGeminiError(error, {
        provider: this.name,
        apiKey: this.backend.apiKey,
        cancelled: false,
        timedOut: controller.signal.aborted,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion> {
    const plan = this.plan(request, options);
    const call = this.startCall(options);
    try {
      const response = await this.client.models.generateContent(
        this.sdkParameters(request, plan, call, options),
      );
      call.finished();
      return convertGeminiResponse(response, {
        model: options.model,
        onUnmappedFinishReason: this.logUnmapped(options),
      });
    } catch (error) {
      throw call.fail(error);
    } finally {
      call.end();
    }
  }

  async *stream(request: ChatRequest, options: CallOptions): AsyncGenerator<ChatCompletionChunk> {
    const plan = this.plan(request, options);
    const call = this.startCall(options);
    const translator = createGeminiChunkTranslator({
      model: options.model,
      onUnmappedFinishReason: this.logUnmapped(options),
    });
    try {
      // The SDK makes the call and checks its status; its SSE body is read here, one upstream read's events
      // at a time (the SDK's stream, never iterated, holds nothing: it takes the body's reader lazily).
      await this.client.models.generateContentStream(this.sdkParameters(request, plan, call, options));
      for await (const events of geminiStreamEvents(call.response())) {
        for (const chunk of translator.translate(events)) yield chunk;
      }
      call.finished();
      for (const chunk of translator.finish()) yield chunk;
    } catch (error) {
      throw call.fail(error);
    } finally {
      // Also runs when the consumer stops early (client gone): close the request if it is still open.
      call.end();
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Converts the request and reports what was dropped before anything is sent. */
  private plan(request: ChatRequest, options: CallOptions): GeminiRequest {
    const plan = convertToGeminiRequest(request, this.modelOptions(options.model));
    for (const name of plan.droppedParameters) {
      if (!options.report.droppedParameters.includes(name)) options.report.droppedParameters.push(name);
    }
    return plan;
  }

  /** The SDK call's parameters: the converted request, with this call's abort signal, fetch and no hidden retries. */
  private sdkParameters(request: ChatRequest, plan: GeminiRequest, call: UpstreamCall, options: CallOptions) {
    return {
      model: options.model,
      contents: deferImageStrings(plan.contents, request),
      config: { ...plan.config, ...call.config },
    };
  }

  private modelOptions(model: string): GeminiModelOptions {
    return parseGeminiModelOptions(model, this.backend.modelOptions[model]);
  }

  private logUnmapped(options: CallOptions): (finishReason: string) => void {
    return (finishReason) =>
      this.logger?.warn(
        { provider: this.name, requestId: options.requestId, finishReason },
        'unmapped Gemini finish reason',
      );
  }

  private startCall(options: CallOptions): UpstreamCall {
    // One signal for the upstream request: the client's abort, and the deadline until the answer (then the
    // transport's body timeout). It goes to the call's fetch, not to the SDK (fetchRecordingResponse says why).
    const deadline = new AnswerDeadline(options.signal, this.backend.timeoutMs);
    let upstreamResponse: Response | undefined;
    let open = true;
    return {
      config: {
        // No hidden retries or follow-up requests: one client request is one upstream request.
        automaticContinuation: false,
        automaticFunctionCalling: { disable: true },
        httpOptions: {
          fetch: fetchRecordingResponse(this.transport, deadline.signal, (response) => {
            upstreamResponse = response;
            deadline.answered();
          }),
        },
      },
      response: () => {
        if (!upstreamResponse) throw new Error('The Gemini call has no response yet.');
        return upstreamResponse;
      },
      finished: () => (open = false),
      // Aborting costs a DOMException and an event through every linked signal: only when still open.
      end: () => {
        deadline.end();
        if (open) deadline.abort();
      },
      fail: (error) =>
        mapGeminiError(error, {
          provider: this.name,
          apiKey: this.backend.apiKey,
          retryAfterHeader: retryAfterOf(upstreamResponse),
          cancelled: options.signal.aborted,
          timedOut: deadline.timedOut,
        }),
    };
  }
}

/** The `Retry-After` header of a failed upstream response. */
function retryAfterOf(response: Response | undefined): string | undefined {
  if (!response || response.ok) return undefined;
  return response.headers.get('retry-after') ?? undefined;
}
