import type { ProviderDefinition } from '@app/core';
import { GeminiAdapter } from './gemini.adapter';

export { GeminiAdapter } from './gemini.adapter';

/** Google Gemini through the Gemini API (generateContent), `@google/genai` SDK. */
export const geminiProvider: ProviderDefinition = {
  kind: 'gemini',
  defaultModelPatterns: ['gemini-*'],
  environment: { apiKey: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
  /** Current vision-capable models. @see https://ai.google.dev/gemini-api/docs/models */
  defaultModels: [
    'gemini-2.5-pro',
    'gemini-2.5-flash',
    'gemini-2.5-flash-lite',
    'gemini-2.0-flash',
    'gemini-3-pro-preview',
  ],
  create: (backend, context) => new GeminiAdapter(backend, context),
};
