import type { ChatRequest } from '@app/core';
import { decideLocalOcrParameters } from './decide-local-ocr-parameters';

const base: ChatRequest = { model: 'local-ocr', messages: [{ role: 'user', content: 'x' }] };
const decide = (extra: Record<string, unknown>) =>
  decideLocalOcrParameters({ ...base, ...extra } as ChatRequest);

describe('decideLocalOcrParameters', () => {
  it.each([
    ['temperature', 0.2],
    ['top_p', 0.9],
    ['frequency_penalty', 1],
    ['presence_penalty', 1],
    ['logit_bias', { 50256: -100 }],
    ['seed', 7],
    ['reasoning_effort', 'low'],
    ['verbosity', 'low'],
    ['prediction', { type: 'content', content: 'x' }],
    ['metadata', { a: 'b' }],
    ['store', true],
    ['user', 'u1'],
    ['safety_identifier', 's'],
    ['service_tier', 'auto'],
    ['prompt_cache_key', 'k'],
    ['prompt_cache_retention', '24h'],
    ['prompt_cache_options', {}],
    ['moderation', {}],
    ['parallel_tool_calls', true],
    ['tools', [{ type: 'function', function: { name: 'f' } }]],
    ['functions', [{ name: 'f' }]],
    ['tool_choice', 'auto'],
    ['function_call', 'auto'],
    ['some_future_field', 1],
  ])('drops and reports %s', (name, value) => {
    expect(decide({ [name]: value }).dropped).toEqual([name]);
  });

  it.each([
    ['n', 2, 'n must be 1'],
    ['tool_choice', 'required', 'cannot call tools'],
    ['tool_choice', { type: 'function', function: { name: 'f' } }, 'cannot call tools'],
    ['function_call', { name: 'f' }, 'cannot call functions'],
    ['response_format', { type: 'json_object' }, 'plain text only'],
    ['response_format', { type: 'json_schema', json_schema: { name: 's' } }, 'plain text only'],
    ['logprobs', true, 'token probabilities'],
    ['top_logprobs', 2, 'token probabilities'],
    ['modalities', ['text', 'audio'], 'text only'],
    ['audio', { voice: 'alloy', format: 'mp3' }, 'text only'],
    ['web_search_options', {}, 'cannot search'],
    ['max_tokens', 0, 'positive integer'],
  ])('rejects %s=%j with a 400 naming it', (name, value, message) => {
    expect(() => decide({ [name]: value })).toThrow(message);
    try {
      decide({ [name]: value });
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: name });
    }
  });

  it.each([
    ['n', 1],
    ['response_format', { type: 'text' }],
    ['logprobs', false],
    ['modalities', ['text']],
    ['temperature', null],
  ])('accepts %s=%j silently (nothing to drop)', (name, value) => {
    expect(decide({ [name]: value }).dropped).toEqual([]);
  });

  it.each([
    [{ max_tokens: 50 }, 50],
    [{ max_completion_tokens: 20 }, 20],
    [{ max_tokens: 50, max_completion_tokens: 20 }, 20],
  ])('maps the token limit %j → %i', (extra, limit) => {
    expect(decide(extra).maxTokens).toBe(limit);
  });

  it.each([
    [{ stop: 'END' }, ['END']],
    [{ stop: ['a', '', 'b'] }, ['a', 'b']],
    [{}, []],
  ])('maps stop %j', (extra, stop) => {
    expect(decide(extra).stop).toEqual(stop);
  });
});
