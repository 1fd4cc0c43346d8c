import type { ProviderDefinition } from '@app/core';
import { openaiProvider } from './openai';
import { anthropicProvider } from './anthropic';
import { geminiProvider } from './gemini';
import { localOcrProvider } from './local-ocr';

/** The provider registry: adding a provider is one folder plus one line here. */
export const PROVIDERS: readonly ProviderDefinition[] = [
  openaiProvider,
  anthropicProvider,
  geminiProvider,
  localOcrProvider,
];
