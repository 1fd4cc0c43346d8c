import Anthropic from '@anthropic-ai/sdk';
import { createBackendFetch, SdkHeaderTemplates, type BackendSettings } from '@app/core';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * The SDK client for one backend. Everything comes from the backend settings, never from the process
 * environment or credential files: an explicit `apiKey` stops the SDK's env/profile lookup, an explicit
 * `baseURL` stops `ANTHROPIC_BASE_URL`. The key goes in `x-api-key` (Anthropic's documented header) and the
 * SDK's `Authorization: Bearer` is removed. Retries are off (the gateway owns retry policy); connections
 * are pooled through the shared keep-alive agent.
 * @see https://docs.anthropic.com/en/api/overview#authentication
 */
export function createAnthropicClient(backend: BackendSettings): Anthropic {
  return new AnthropicClient({
    apiKey: backend.apiKey ?? 'no-key',
    baseURL: backend.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: backend.timeoutMs,
    defaultHeaders: {
      authorization: null,
      ...(backend.apiKey ? { 'x-api-key': backend.apiKey } : {}),
      ...backend.headers,
    },
    fetch: createBackendFetch(backend.timeoutMs),
    logLevel: 'off',
    openTelemetry: false,
  });
}

type BuildRequestOptions = Parameters<Anthropic['buildRequest']>[0];
type BuildRequestContext = Parameters<Anthropic['buildRequest']>[1];

/**
 * The Anthropic SDK client, building the request headers of its JSON calls once and copying them after
 * (libs/core/src/http/sdk-header-templates.ts). Everything else is the SDK's own: the fast path builds what
 * `buildRequest` builds for a JSON body with an explicit key and base URL (so no lazy credential lookup or
 * base-URL switch is pending): URL, method, signal, `JSON.stringify` of the body and the timeout.
 * `create-anthropic-client.spec.ts` compares the two on every kind of call the adapter makes.
 * @see https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/client.ts (buildRequest, buildBody)
 */
export class AnthropicClient extends Anthropic {
  private readonly headerTemplates = new SdkHeaderTemplates();

  override buildRequest(
    options: BuildRequestOptions,
    context: BuildRequestContext = {},
  ): ReturnType<Anthropic['buildRequest']> {
    return this.headerTemplates.buildRequest(this, options, context.retryCount ?? 0, () =>
      super.buildRequest(options, context),
    );
  }
}
