import { GatewayError } from '@app/core';

/** How a Claude model takes structured output: `output_config.format` or a forced tool whose input is the JSON. */
export type StructuredOutputMode = 'native' | 'tool';
/** `budget`: `thinking: {type:'enabled', budget_tokens}`; `adaptive`: `thinking: {type:'adaptive'}` + effort; false: none. */
export type ThinkingMode = 'budget' | 'adaptive' | false;

export interface AnthropicModelSettings {
  /** `max_tokens` sent when the request gives none (Anthropic requires it). */
  maxOutputTokens: number;
  /** false: the model rejects `temperature`/`top_p`/`top_k`; they are dropped and reported. */
  sampling: boolean;
  structuredOutputs: StructuredOutputMode;
  thinking: ThinkingMode;
}

/** Output limit when neither the request nor the config gives one, for models no family rule knows. */
export const GLOBAL_MAX_OUTPUT_TOKENS = 8192;

/**
 * Family defaults, first match wins (the documented per-model maximum output).
 * @see https://docs.anthropic.com/en/docs/about-claude/models/overview
 */
const FAMILY_DEFAULTS: ReadonlyArray<{ pattern: RegExp; settings: Partial<AnthropicModelSettings> }> = [
  {
    pattern: /^claude-3-haiku|^claude-3-opus|^claude-3-sonnet/,
    settings: { maxOutputTokens: 4096, structuredOutputs: 'tool', thinking: false },
  },
  {
    pattern: /^claude-3-5-/,
    settings: { maxOutputTokens: 8192, structuredOutputs: 'tool', thinking: false },
  },
  { pattern: /^claude-3-7-sonnet/, settings: { maxOutputTokens: 64000, structuredOutputs: 'tool' } },
  {
    pattern: /^claude-opus-4-(0|1)|^claude-opus-4-2025/,
    settings: { maxOutputTokens: 32000, structuredOutputs: 'tool' },
  },
  { pattern: /^claude-sonnet-4-(0|2025)/, settings: { maxOutputTokens: 64000, structuredOutputs: 'tool' } },
  // The SDK warns that these take `thinking: {type:'adaptive'}` rather than a fixed budget.
  {
    pattern: /^claude-opus-4-6|^claude-mythos-preview/,
    settings: { maxOutputTokens: 64000, thinking: 'adaptive' },
  },
  { pattern: /^claude-(opus|sonnet|haiku)-4-/, settings: { maxOutputTokens: 64000 } },
  { pattern: /^claude-[a-z]+-[5-9]/, settings: { maxOutputTokens: 64000 } },
];

const BASE: AnthropicModelSettings = {
  maxOutputTokens: GLOBAL_MAX_OUTPUT_TOKENS,
  sampling: true,
  structuredOutputs: 'native',
  thinking: 'budget',
};

/**
 * Settings for one upstream model: family defaults, overridden by `backend.modelOptions[model]`
 * (`maxOutputTokens`, `sampling`, `structuredOutputs`, `thinking`). Invalid values are a configuration
 * error (500 naming the key), never silently ignored.
 */
export function resolveAnthropicModelSettings(
  model: string,
  raw: Record<string, unknown> = {},
): AnthropicModelSettings {
  const family = FAMILY_DEFAULTS.find((entry) => entry.pattern.test(model))?.settings ?? {};
  const settings: AnthropicModelSettings = { ...BASE, ...family };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'maxOutputTokens':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
          throw invalid(model, key, 'a positive integer');
        settings.maxOutputTokens = value;
        break;
      case 'sampling':
        if (typeof value !== 'boolean') throw invalid(model, key, 'true or false');
        settings.sampling = value;
        break;
      case 'structuredOutputs':
        if (value !== 'native' && value !== 'tool') throw invalid(model, key, "'native' or 'tool'");
        settings.structuredOutputs = value;
        break;
      case 'thinking':
        if (value === true) settings.thinking = 'budget';
        else if (value === false || value === 'budget' || value === 'adaptive') settings.thinking = value;
        else throw invalid(model, key, "'budget', 'adaptive', true or false");
        break;
      default:
        throw new GatewayError(500, `Unknown Claude model option '${key}' for model '${model}'.`, {
          code: 'invalid_configuration',
        });
    }
  }
  return settings;
}

function invalid(model: string, key: string, expected: string): GatewayError {
  return new GatewayError(500, `Claude model option '${key}' for model '${model}' must be ${expected}.`, {
    code: 'invalid_configuration',
  });
}
