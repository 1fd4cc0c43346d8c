import type { ProviderDefinition } from '@app/core';
import { AnthropicAdapter } from './anthropic.adapter';

export { AnthropicAdapter } from './anthropic.adapter';

/** Claude through Anthropic's Messages API. */
export const anthropicProvider: ProviderDefinition = {
  kind: 'anthropic',
  defaultModelPatterns: ['claude-*'],
  environment: { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' },
  /** Current, non-deprecated models (the SDK's `Model` type; https://docs.anthropic.com/en/docs/about-claude/models/overview). */
  defaultModels: [
    'claude-opus-5-5',
    'claude-sonnet-5-5',
    'claude-haiku-5-5',
    'claude-opus-4-8',
    'claude-sonnet-4-6',
    'claude-haiku-4-5',
  ],
  create: (backend, context) => new AnthropicAdapter(backend, context),
};
