import { GatewayError, type ChatRequest } from '@app/core';
import {
  convertToGeminiRequest,
  convertToolChoice,
  mediaResolutionFor,
  THINKING_BUDGETS,
} from './convert-to-gemini-request';
import { parseGeminiModelOptions } from './gemini-options';

const options = parseGeminiModelOptions('gemini-2.5-flash');
const base: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

function convert(extra: Partial<ChatRequest>, modelOptions = options) {
  return convertToGeminiRequest({ ...base, ...extra } as ChatRequest, modelOptions);
}

describe('convertToGeminiRequest: generation config', () => {
  it.each<[string, Partial<ChatRequest>, Record<string, unknown>]>([
    ['temperature', { temperature: 0.3 }, { temperature: 0.3 }],
    ['top_p', { top_p: 0.9 }, { topP: 0.9 }],
    ['max_tokens', { max_tokens: 50 }, { maxOutputTokens: 50 }],
    ['max_completion_tokens wins', { max_tokens: 50, max_completion_tokens: 70 }, { maxOutputTokens: 70 }],
    ['stop string', { stop: 'END' }, { stopSequences: ['END'] }],
    ['stop array', { stop: ['a', 'b'] }, { stopSequences: ['a', 'b'] }],
    ['n', { n: 2 }, { candidateCount: 2 }],
    ['n = 1 is the default', { n: 1 }, {}],
    ['seed', { seed: 7 }, { seed: 7 }],
    ['presence_penalty', { presence_penalty: 0.5 }, { presencePenalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: -0.5 }, { frequencyPenalty: -0.5 }],
    ['logprobs', { logprobs: true }, { responseLogprobs: true }],
    ['top_logprobs', { logprobs: true, top_logprobs: 3 }, { responseLogprobs: true, logprobs: 3 }],
    ['reasoning_effort none', { reasoning_effort: 'none' }, { thinkingConfig: { thinkingBudget: 0 } }],
    [
      'reasoning_effort low',
      { reasoning_effort: 'low' },
      { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    ],
    [
      'reasoning_effort medium',
      { reasoning_effort: 'medium' },
      { thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } },
    ],
    [
      'reasoning_effort high',
      { reasoning_effort: 'high' },
      { thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } },
    ],
    ['json_object', { response_format: { type: 'json_object' } }, { responseMimeType: 'application/json' }],
    ['text format', { response_format: { type: 'text' } }, {}],
    [
      'json_schema → responseSchema (reduced)',
      {
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            strict: true,
            schema: {
              type: 'object',
              properties: { a: { type: 'string' } },
              required: ['a'],
              additionalProperties: false,
            },
          },
        },
      },
      {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
      },
    ],
  ])('%s', (_name, extra, expected) => {
    const { config, droppedParameters } = convert(extra);
    expect(config).toEqual(expected);
    expect(droppedParameters).toEqual([]);
  });

  it('uses the per-model default max tokens', () => {
    expect(convert({}, parseGeminiModelOptions('m', { defaultMaxTokens: 99 })).config.maxOutputTokens).toBe(
      99,
    );
  });

  it('every reasoning_effort value has a budget', () => {
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])
      expect(THINKING_BUDGETS[effort]).toBeGreaterThanOrEqual(0);
  });
});

describe('convertToGeminiRequest: dropped parameters (documented policy, reported)', () => {
  it.each<[string, Partial<ChatRequest>, string]>([
    ['logit_bias', { logit_bias: { '50256': -100 } }, 'logit_bias'],
    ['user', { user: 'u1' }, 'user'],
    ['metadata', { metadata: { a: 'b' } }, 'metadata'],
    ['store', { store: true }, 'store'],
    ['service_tier', { service_tier: 'flex' }, 'service_tier'],
    ['prediction', { prediction: { type: 'content', content: 'x' } }, 'prediction'],
    ['prompt_cache_key', { prompt_cache_key: 'k' }, 'prompt_cache_key'],
    ['safety_identifier', { safety_identifier: 's' }, 'safety_identifier'],
    ['verbosity', { verbosity: 'low' }, 'verbosity'],
    [
      'parallel_tool_calls false',
      { parallel_tool_calls: false, tools: [{ type: 'function', function: { name: 'f' } }] },
      'parallel_tool_calls',
    ],
    [
      'strict tools',
      { tools: [{ type: 'function', function: { name: 'f', strict: true } }] },
      'tools[].function.strict',
    ],
    ['a field OpenAI adds later', { some_future_field: 1 } as Partial<ChatRequest>, 'some_future_field'],
  ])('%s', (_name, extra, name) => {
    expect(convert(extra).droppedParameters).toContain(name);
  });

  it('image detail without media-resolution support is reported; with support it is mapped', () => {
    const messages: ChatRequest['messages'] = [
      {
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } }],
      },
    ];
    expect(convert({ messages }).droppedParameters).toEqual(['messages[].content[].image_url.detail']);
    const supported = convert({ messages }, parseGeminiModelOptions('m', { mediaResolution: true }));
    expect(supported.config.mediaResolution).toBe('MEDIA_RESOLUTION_HIGH');
    expect(supported.droppedParameters).toEqual([]);
  });
});

describe('convertToGeminiRequest: rejected parameters', () => {
  it.each<[string, Partial<ChatRequest>, string]>([
    ['audio output', { modalities: ['text', 'audio'] }, 'modalities'],
    ['audio config', { audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
    ['web search', { web_search_options: {} }, 'web_search_options'],
    ['top_logprobs without logprobs', { top_logprobs: 2 }, 'top_logprobs'],
    ['custom tools', { tools: [{ type: 'custom', custom: { name: 'c' } }] }, 'tools[0].type'],
    ['tool_choice without tools', { tool_choice: 'required' }, 'tool_choice'],
    ['unknown reasoning effort', { reasoning_effort: 'extreme' as 'high' }, 'reasoning_effort'],
  ])('%s → 400', (_name, extra, param) => {
    expect(() => convert(extra)).toThrow(GatewayError);
    try {
      convert(extra);
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param });
    }
  });
});

describe('tools', () => {
  it('function tools → functionDeclarations with reduced parameters; empty parameters omitted', () => {
    const { config } = convert({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather.',
            parameters: {
              $schema: 'x',
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
              additionalProperties: false,
            },
          },
        },
        { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'auto',
    });
    expect(config.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather.',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
          { name: 'now' },
        ],
      },
    ]);
    expect(config.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  });

  it('allowed_tools in auto mode filters the declarations', () => {
    const { config } = convert({
      tools: [
        { type: 'function', function: { name: 'a' } },
        { type: 'function', function: { name: 'b' } },
      ],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'b' } }] },
      },
    });
    expect(config.tools).toEqual([{ functionDeclarations: [{ name: 'b' }] }]);
    expect(config.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  });

  it('legacy functions/function_call map like tools/tool_choice', () => {
    const { config } = convert({ functions: [{ name: 'f' }], function_call: { name: 'f' } });
    expect(config.tools).toEqual([{ functionDeclarations: [{ name: 'f' }] }]);
    expect(config.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] },
    });
  });
});

describe('convertToolChoice', () => {
  it.each<[ChatRequest['tool_choice'], unknown]>([
    [undefined, undefined],
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [
      { type: 'function', function: { name: 'get_weather' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    ],
    [
      {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'a' } }] },
      },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a'] } },
    ],
  ])('%j', (choice, expected) => {
    expect(convertToolChoice(choice)).toEqual(expected);
  });

  it('custom tool choice → 400', () => {
    expect(() => convertToolChoice({ type: 'custom', custom: { name: 'x' } })).toThrow(GatewayError);
  });
});

describe('mediaResolutionFor', () => {
  it.each<[Array<'auto' | 'low' | 'high'>, string | undefined]>([
    [[], undefined],
    [['auto'], undefined],
    [['low', 'low'], 'MEDIA_RESOLUTION_LOW'],
    [['low', 'auto'], undefined],
    [['low', 'high'], 'MEDIA_RESOLUTION_HIGH'],
  ])('%j → %s', (details, expected) => {
    expect(mediaResolutionFor(details)).toBe(expected);
  });
});
