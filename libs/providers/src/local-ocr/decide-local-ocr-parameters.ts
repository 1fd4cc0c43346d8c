import { GatewayError, type ChatRequest } from '@app/core';

/** What the engine does with the request's parameters: it reads text, it does not sample. */
export interface LocalOcrParameters {
  /** Cut the answer after about this many tokens (finish_reason 'length'). */
  maxTokens?: number;
  /** Cut the answer before the first of these (finish_reason 'stop'). */
  stop: string[];
  /** Parameters with no meaning for a deterministic reader: dropped and reported (`x-iris-dropped-params`). */
  dropped: string[];
}

/**
 * One decision per parameter (the engine returns the text it reads in the images):
 * - used: `model`, `messages`; mapped: `max_tokens`/`max_completion_tokens` (cut), `stop` (cut), `n` = 1;
 * - `tools`/`functions` with no forced call: dropped (a model may always answer without calling a tool);
 *   a forced call (`tool_choice` required/named, `function_call` named) → 400;
 * - `response_format` json_object/json_schema, `logprobs`/`top_logprobs`, audio output, `web_search_options`,
 *   `n` > 1 → 400 (the engine cannot honour them);
 * - sampling and OpenAI-platform parameters, and unknown fields → dropped and reported.
 */
export function decideLocalOcrParameters(request: ChatRequest): LocalOcrParameters {
  const body = request as unknown as Record<string, unknown>;
  const dropped: string[] = [];
  const result: LocalOcrParameters = { stop: [], dropped };
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    switch (name) {
      case 'model':
      case 'messages':
        break;
      case 'max_tokens':
      case 'max_completion_tokens':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
          throw GatewayError.invalidRequest(`'${name}' must be a positive integer.`, name);
        }
        result.maxTokens = Math.min(result.maxTokens ?? value, value);
        break;
      case 'stop':
        result.stop = (Array.isArray(value) ? value : [value]).filter(
          (sequence): sequence is string => typeof sequence === 'string' && sequence.length > 0,
        );
        break;
      case 'n':
        if (value !== 1) throw unsupported(name, 'returns one reading of the images: n must be 1');
        break;
      case 'tools':
      case 'functions':
        dropped.push(name);
        break;
      case 'tool_choice':
        if (value === 'required' || typeof value === 'object') throw unsupported(name, 'cannot call tools');
        dropped.push(name);
        break;
      case 'function_call':
        if (typeof value === 'object') throw unsupported(name, 'cannot call functions');
        dropped.push(name);
        break;
      case 'response_format':
        if ((value as { type?: unknown }).type !== 'text')
          throw unsupported(name, 'answers with plain text only');
        break;
      case 'logprobs':
        if (value === true) throw unsupported(name, 'has no token probabilities');
        break;
      case 'top_logprobs':
        throw unsupported(name, 'has no token probabilities');
      case 'modalities':
        if (!Array.isArray(value) || value.some((modality) => modality !== 'text')) {
          throw unsupported(name, 'answers with text only');
        }
        break;
      case 'audio':
        throw unsupported(name, 'answers with text only');
      case 'web_search_options':
        throw unsupported(name, 'cannot search the web');
      case 'temperature': // no sampling: the same image always reads the same
      case 'top_p': // no sampling
      case 'frequency_penalty': // no sampling
      case 'presence_penalty': // no sampling
      case 'logit_bias': // no vocabulary to bias
      case 'seed': // already deterministic
      case 'reasoning_effort': // no reasoning
      case 'verbosity': // the text is what it is
      case 'prediction': // a latency hint only
      case 'metadata': // OpenAI platform storage
      case 'store': // OpenAI platform storage
      case 'user': // OpenAI abuse monitoring
      case 'safety_identifier': // OpenAI abuse monitoring
      case 'service_tier': // OpenAI capacity tiers
      case 'prompt_cache_key': // no prompt cache
      case 'prompt_cache_retention': // no prompt cache
      case 'prompt_cache_options': // no prompt cache
      case 'moderation': // no moderation step
      case 'parallel_tool_calls': // no tool calls (see tools)
        dropped.push(name);
        break;
      default: // a field this gateway does not know: never forwarded anywhere, so reported
        dropped.push(name);
    }
  }
  return result;
}

function unsupported(param: string, why: string): GatewayError {
  return GatewayError.invalidRequest(
    `The local OCR engine ${why}; remove '${param}'.`,
    param,
    'unsupported_parameter',
  );
}
