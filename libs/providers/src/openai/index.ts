import type { ProviderDefinition } from '@app/core';
import { OpenAiAdapter } from './openai.adapter';

/** OpenAI itself and, as named backends in the config file, any OpenAI-compatible server. */
export const openaiProvider: ProviderDefinition = {
  kind: 'openai',
  defaultModelPatterns: ['gpt-*', 'o1*', 'o3*', 'o4*', 'chatgpt-*'],
  environment: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  defaultModels: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini'],
  create: (backend) => new OpenAiAdapter(backend),
};
