import type { CompletionUsage } from '../openai-types';

export function emptyUsage(): CompletionUsage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}

/** Adds token counts (the detail objects are not summed: backends fill them differently). */
export function sumUsage(usages: ReadonlyArray<CompletionUsage | undefined>): CompletionUsage {
  return usages.reduce<CompletionUsage>(
    (sum, usage) => ({
      prompt_tokens: sum.prompt_tokens + (usage?.prompt_tokens ?? 0),
      completion_tokens: sum.completion_tokens + (usage?.completion_tokens ?? 0),
      total_tokens: sum.total_tokens + (usage?.total_tokens ?? 0),
    }),
    emptyUsage(),
  );
}
