import type { ChatRequest } from '@app/core';
import { resolveAnthropicModelSettings, type AnthropicModelSettings } from './anthropic-model-settings';
import { convertToAnthropicRequest, STRUCTURED_OUTPUT_TOOL } from './convert-to-anthropic-request';

const MODEL = 'claude-sonnet-4-5';
const settings = resolveAnthropicModelSettings(MODEL, { maxOutputTokens: 4000 });
const base = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] };
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

function convert(extra: Record<string, unknown>, overrides: Partial<AnthropicModelSettings> = {}) {
  return convertToAnthropicRequest({ ...base, ...extra } as unknown as ChatRequest, MODEL, {
    ...settings,
    ...overrides,
  });
}

describe('convertToAnthropicRequest', () => {
  it('minimal request: model, messages, default max_tokens, nothing dropped', () => {
    expect(convert({})).toEqual({
      body: {
        model: MODEL,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        max_tokens: 4000,
      },
      structuredOutputTool: undefined,
      droppedParameters: [],
    });
  });

  it.each([
    [{ max_tokens: 100 }, 100],
    [{ max_completion_tokens: 200 }, 200],
    [{ max_tokens: 100, max_completion_tokens: 300 }, 300],
    [{ max_tokens: null }, 4000],
  ])('max tokens %j → %i', (extra, expected) => {
    expect(convert(extra).body.max_tokens).toBe(expected);
  });

  it.each([
    [{ temperature: 0.3 }, { temperature: 0.3 }],
    [{ temperature: 1.7 }, { temperature: 1 }], // Claude's range is 0..1: clamped (documented)
    [{ temperature: 0 }, { temperature: 0 }],
    [{ top_p: 0.9 }, { top_p: 0.9 }],
    [{ top_k: 40 }, { top_k: 40 }],
  ])('sampling %j → %j', (extra, expected) => {
    const plan = convert(extra);
    expect(plan.body).toMatchObject(expected);
    expect(plan.droppedParameters).toEqual([]);
  });

  it('sampling: false models get no sampling parameters, and each is reported', () => {
    const plan = convert({ temperature: 0.2, top_p: 0.5, top_k: 3 }, { sampling: false });
    expect(plan.body).not.toHaveProperty('temperature');
    expect(plan.body).not.toHaveProperty('top_p');
    expect(plan.body).not.toHaveProperty('top_k');
    expect(plan.droppedParameters).toEqual(['temperature', 'top_p', 'top_k']);
  });

  it.each([
    [{ stop: 'END' }, ['END'], []],
    [{ stop: ['a', ' ', 'b'] }, ['a', 'b'], ['stop']],
    [{ stop: ['\n'] }, undefined, ['stop']],
  ])('stop %j → stop_sequences %j (whitespace-only dropped)', (extra, sequences, dropped) => {
    const plan = convert(extra);
    expect(plan.body.stop_sequences).toEqual(sequences);
    expect(plan.droppedParameters).toEqual(dropped);
  });

  it.each([
    [{ user: 'u-1' }, { user_id: 'u-1' }],
    [{ safety_identifier: 's-1', user: 'u-1' }, { user_id: 's-1' }],
  ])('%j → metadata %j', (extra, metadata) => {
    expect(convert(extra).body.metadata).toEqual(metadata);
  });

  it.each([
    ['seed', 7],
    ['logit_bias', { '50256': -100 }],
    ['presence_penalty', 0.5],
    ['frequency_penalty', 0.5],
    ['logprobs', true],
    ['top_logprobs', 2],
    ['service_tier', 'flex'],
    ['verbosity', 'low'],
    ['prompt_cache_key', 'k'],
    ['store', true],
    ['some_future_field', 1],
  ])('%s has no Claude equivalent: dropped and reported', (name, value) => {
    const plan = convert({ [name]: value });
    expect(plan.droppedParameters).toEqual([name]);
    expect(plan.body).not.toHaveProperty(name);
  });

  it.each([
    ['presence_penalty', 0],
    ['frequency_penalty', 0],
    ['logprobs', false],
    ['store', false],
    ['logit_bias', {}],
  ])('%s=%j is a no-op: not reported', (name, value) => {
    expect(convert({ [name]: value }).droppedParameters).toEqual([]);
  });

  it.each([
    ['audio', { voice: 'alloy', format: 'wav' }],
    ['web_search_options', {}],
    ['functions', [{ name: 'f' }]],
    ['function_call', 'auto'],
    ['modalities', ['text', 'audio']],
  ])('%s is rejected with 400', (name, value) => {
    expect(() => convert({ [name]: value })).toThrow(expect.objectContaining({ status: 400, param: name }));
  });

  it('tools → name/description/input_schema', () => {
    expect(convert({ tools: [weatherTool] }).body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
  });

  it.each([
    ['auto', {}, { type: 'auto' }],
    ['none', {}, { type: 'none' }],
    ['required', {}, { type: 'any' }],
    [{ type: 'function', function: { name: 'get_weather' } }, {}, { type: 'tool', name: 'get_weather' }],
    ['auto', { parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['required', { parallel_tool_calls: false }, { type: 'any', disable_parallel_tool_use: true }],
    [undefined, { parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, {}, undefined],
  ])('tool_choice %j with %j → %j', (toolChoice, extra, expected) => {
    expect(convert({ tools: [weatherTool], tool_choice: toolChoice, ...extra }).body.tool_choice).toEqual(
      expected,
    );
  });

  it('allowed_tools keeps the listed tools', () => {
    const other = { type: 'function', function: { name: 'other', parameters: { type: 'object' } } };
    const plan = convert({
      tools: [weatherTool, other],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'other' } }] },
      },
    });
    expect(plan.body.tools?.map((tool) => (tool as { name: string }).name)).toEqual(['other']);
    expect(plan.body.tool_choice).toEqual({ type: 'any' });
  });

  it.each([
    ['minimal', 1024],
    ['low', 2048],
    ['medium', 8192],
    ['high', 16384],
  ])('reasoning_effort %s → thinking budget %i, max_tokens raised above it', (effort, budget) => {
    const plan = convert({ reasoning_effort: effort, max_tokens: 500, temperature: 0.5 });
    expect(plan.body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(plan.body.max_tokens).toBe(500 + budget);
    expect(plan.body).not.toHaveProperty('temperature'); // Claude rejects temperature with thinking
    expect(plan.droppedParameters).toEqual(['temperature']);
  });

  it('reasoning_effort none → no thinking', () => {
    expect(convert({ reasoning_effort: 'none' }).body).not.toHaveProperty('thinking');
  });

  it('adaptive-thinking models get thinking adaptive + effort', () => {
    const plan = convert({ reasoning_effort: 'high' }, { thinking: 'adaptive' });
    expect(plan.body.thinking).toEqual({ type: 'adaptive' });
    expect(plan.body.output_config).toEqual({ effort: 'high' });
    expect(plan.body.max_tokens).toBe(4000);
  });

  it('models without thinking: reasoning_effort dropped and reported', () => {
    const plan = convert({ reasoning_effort: 'high' }, { thinking: false });
    expect(plan.body).not.toHaveProperty('thinking');
    expect(plan.droppedParameters).toEqual(['reasoning_effort']);
  });

  it('thinking with a forced tool is a 400', () => {
    expect(() => convert({ reasoning_effort: 'low', tools: [weatherTool], tool_choice: 'required' })).toThrow(
      expect.objectContaining({ status: 400, param: 'tool_choice' }),
    );
  });

  const schema = {
    type: 'object',
    properties: { answer: { type: 'string' } },
    required: ['answer'],
    additionalProperties: false,
  };

  it('json_schema on a native model → output_config.format', () => {
    const plan = convert({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema } } });
    expect(plan.body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(plan.structuredOutputTool).toBeUndefined();
  });

  it.each([
    [
      'json_schema on a tool-mode model',
      { type: 'json_schema', json_schema: { name: 'a', description: 'An answer', schema } },
      'tool',
      schema,
    ],
    ['json_object', { type: 'json_object' }, 'native', { type: 'object' }],
  ])('%s → forced tool', (_, responseFormat, mode, inputSchema) => {
    const plan = convert(
      { response_format: responseFormat },
      { structuredOutputs: mode as 'tool' | 'native' },
    );
    expect(plan.structuredOutputTool).toBe(STRUCTURED_OUTPUT_TOOL);
    expect(plan.body.tools).toEqual([
      expect.objectContaining({ name: STRUCTURED_OUTPUT_TOOL, input_schema: inputSchema }),
    ]);
    expect(plan.body.tool_choice).toEqual({
      type: 'tool',
      name: STRUCTURED_OUTPUT_TOOL,
      disable_parallel_tool_use: true,
    });
  });

  it('response_format text → nothing', () => {
    expect(convert({ response_format: { type: 'text' } }).body).not.toHaveProperty('output_config');
  });

  it('tool-mode JSON together with user tools is a 400', () => {
    expect(() => convert({ tools: [weatherTool], response_format: { type: 'json_object' } })).toThrow(
      expect.objectContaining({ status: 400, param: 'response_format' }),
    );
  });
});
