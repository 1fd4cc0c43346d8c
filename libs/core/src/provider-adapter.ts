import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
} from './openai-types';
import type { ProviderImageRules } from './images/provider-image-rules';
import type { Logger } from './logger';

/** A chat request as adapters receive it: the OpenAI shape, with streaming decided by which method is called. */
export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'stream' | 'stream_options'>;

/**
 * Things an adapter tells the app about a call, filled in before `complete` resolves or before the first
 * chunk of `stream` is yielded (the app reads it when it writes the response headers).
 */
export interface CallReport {
  /** Request parameters the backend has no equivalent for and that were dropped (documented policy). */
  droppedParameters: string[];
}

export interface CallOptions {
  /** The upstream model name (after routing). */
  model: string;
  /** Aborted when the client disconnects or the request times out; pass it to the SDK call. */
  signal: AbortSignal;
  requestId: string;
  report: CallReport;
}

export interface ModelInfo {
  /** The name clients use (configured id, alias or `backend/model`). */
  id: string;
  /** Backend name, shown as `owned_by`. */
  ownedBy: string;
  created?: number;
}

export interface ProviderAdapter {
  /** The backend name: routing prefix and `owned_by`. */
  readonly name: string;
  /** How images must look before this backend sees them (the image layer fits them). */
  imageRules(model: string): ProviderImageRules;
  /** Models the upstream itself reports (optional discovery); configured models are listed by the app. */
  listModels(): Promise<readonly ModelInfo[]>;
  /** Throws `GatewayError` only. */
  complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion>;
  /**
   * Objects, never SSE strings. Always ends with a usage chunk (`choices: []`, `usage`) when the upstream
   * reports usage; the app forwards it only when the client asked for `stream_options.include_usage`.
   * Throws `GatewayError` only; an error after the first chunk becomes the app's mid-stream error event.
   */
  stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatCompletionChunk>;
  /** Release pooled connections and workers at shutdown. */
  close?(): Promise<void>;
}

/** One configured backend, as the config layer hands it to a provider definition. */
export interface BackendSettings {
  /** Unique name: the `name/model` routing prefix and `owned_by`. */
  name: string;
  /** Which provider definition serves it (`openai`, `anthropic`, `gemini`, `local-ocr`, ...). */
  provider: string;
  /** Means what the vendor SDK's base-URL option means. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers sent upstream on every call. */
  headers: Record<string, string>;
  /** Upstream request timeout; exceeding it is a 504. */
  timeoutMs: number;
  /** Provider-specific settings for the whole backend (validated by the provider). */
  options: Record<string, unknown>;
  /** Per-model provider-specific settings, by upstream model name (e.g. default max tokens, capabilities). */
  modelOptions: Record<string, Record<string, unknown>>;
}

export interface ProviderContext {
  logger: Logger;
}

/** What a provider folder exports for the registry: one object, one line in `PROVIDERS`. */
export interface ProviderDefinition {
  /** The provider kind, used as `provider:` in config and as the default backend name. */
  readonly kind: string;
  /** Model-name patterns routed to this provider's default backend (`claude-*`). */
  readonly defaultModelPatterns: readonly string[];
  /** Environment variables of the simple configuration. */
  readonly environment?: { apiKey?: string; baseUrl?: string };
  /** Whether the default backend exists without an API key (local engines). */
  readonly worksWithoutKey?: boolean;
  /** Models listed in /v1/models for the default backend even without configuration. */
  readonly defaultModels?: readonly string[];
  create(backend: BackendSettings, context: ProviderContext): ProviderAdapter;
}
