import Anthropic from '@anthropic-ai/sdk';
import { upstreamFetch, type BackendSettings } from '@app/core';

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
  return new Anthropic({
    apiKey: backend.apiKey ?? 'no-key',
    baseURL: backend.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: backend.timeoutMs,
    defaultHeaders: {
      authorization: null,
      ...(backend.apiKey ? { 'x-api-key': backend.apiKey } : {}),
      ...backend.headers,
    },
    fetch: upstreamFetch,
    logLevel: 'off',
    openTelemetry: false,
  });
}
