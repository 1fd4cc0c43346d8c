import 'reflect-metadata';
import { GatewayError } from '@app/core';
import { validateChatRequest } from './validate-chat-request';

const user = (content: unknown): unknown => ({ role: 'user', content });
const body = (
  extra: Record<string, unknown> = {},
  messages: unknown[] = [user('hi')],
): Record<string, unknown> => ({
  model: 'gpt-4o',
  messages,
  ...extra,
});

function paramOf(value: unknown): string | null {
  try {
    validateChatRequest(value);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).type).toBe('invalid_request_error');
    return (error as GatewayError).param;
  }
  throw new Error('expected a 400');
}

describe('validateChatRequest', () => {
  it.each([
    ['a non-object body', [], null],
    ['a missing model', { messages: [user('x')] }, 'model'],
    ['an empty model', body({ model: '' }), 'model'],
    ['no messages', body({}, []), 'messages'],
    ['messages not an array', { model: 'm', messages: 'hi' }, 'messages'],
    ['temperature above 2', body({ temperature: 2.5 }), 'temperature'],
    ['temperature as a string', body({ temperature: '1' }), 'temperature'],
    ['top_p above 1', body({ top_p: 1.5 }), 'top_p'],
    ['n of 0', body({ n: 0 }), 'n'],
    ['n not an integer', body({ n: 1.5 }), 'n'],
    ['five stop sequences', body({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop'],
    ['a stop number', body({ stop: 3 }), 'stop'],
    ['max_tokens of 0', body({ max_tokens: 0 }), 'max_tokens'],
    ['max_completion_tokens negative', body({ max_completion_tokens: -1 }), 'max_completion_tokens'],
    ['presence_penalty below -2', body({ presence_penalty: -3 }), 'presence_penalty'],
    ['frequency_penalty above 2', body({ frequency_penalty: 3 }), 'frequency_penalty'],
    ['logit_bias out of range', body({ logit_bias: { '50256': -101 } }), 'logit_bias'],
    ['seed as a float', body({ seed: 1.5 }), 'seed'],
    ['stream not boolean', body({ stream: 'yes' }), 'stream'],
    ['stream_options without stream', body({ stream_options: { include_usage: true } }), 'stream_options'],
    [
      'include_usage not boolean',
      body({ stream: true, stream_options: { include_usage: 'y' } }),
      'stream_options.include_usage',
    ],
    ['unknown response_format', body({ response_format: { type: 'yaml' } }), 'response_format.type'],
    [
      'json_schema without schema object',
      body({ response_format: { type: 'json_schema' } }),
      'response_format.json_schema',
    ],
    [
      'json_schema without name',
      body({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }),
      'response_format.json_schema.name',
    ],
    ['a tool of another type', body({ tools: [{ type: 'web', function: { name: 'f' } }] }), 'tools[0].type'],
    [
      'a tool with a bad name',
      body({ tools: [{ type: 'function', function: { name: 'has space' } }] }),
      'tools[0].function.name',
    ],
    ['a bad tool_choice', body({ tool_choice: 'sometimes' }), 'tool_choice'],
    ['a bad reasoning_effort', body({ reasoning_effort: 'max' }), 'reasoning_effort'],
    ['top_logprobs above 20', body({ top_logprobs: 21 }), 'top_logprobs'],
    ['metadata with a number', body({ metadata: { a: 1 } }), 'metadata.a'],
    ['an unknown role', body({}, [{ role: 'robot', content: 'x' }]), 'messages[0].role'],
    ['a user message without content', body({}, [{ role: 'user' }]), 'messages[0].content'],
    ['content of a wrong type', body({}, [user(42)]), 'messages[0].content'],
    ['an empty parts array', body({}, [user([])]), 'messages[0].content'],
    ['an unknown part type', body({}, [user([{ type: 'video', video: {} }])]), 'messages[0].content[0].type'],
    ['a text part without text', body({}, [user([{ type: 'text' }])]), 'messages[0].content[0].text'],
    [
      'an image part without image_url',
      body({}, [user([{ type: 'image_url' }])]),
      'messages[0].content[0].image_url',
    ],
    [
      'an image with an empty url (third part of the second message)',
      body({}, [
        user('a'),
        user([
          { type: 'text', text: 'x' },
          { type: 'text', text: 'y' },
          { type: 'image_url', image_url: { url: '' } },
        ]),
      ]),
      'messages[1].content[2].image_url.url',
    ],
    [
      'a bad detail',
      body({}, [user([{ type: 'image_url', image_url: { url: 'https://x/a.png', detail: 'max' } }])]),
      'messages[0].content[0].image_url.detail',
    ],
    [
      'an image in a system message',
      body({}, [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }]),
      'messages[0].content[0].type',
    ],
    [
      'an assistant message with nothing',
      body({}, [user('a'), { role: 'assistant' }]),
      'messages[1].content',
    ],
    [
      'a tool call without id',
      body({}, [
        user('a'),
        { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] },
      ]),
      'messages[1].tool_calls[0].id',
    ],
    [
      'tool call arguments as an object',
      body({}, [
        user('a'),
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }],
        },
      ]),
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'a tool message without tool_call_id',
      body({}, [user('a'), { role: 'tool', content: 'r' }]),
      'messages[1].tool_call_id',
    ],
  ])('%s → 400 at %s', (_name, value, param) => {
    expect(paramOf(value)).toBe(param);
  });

  it('keeps unknown fields and does not copy the body', () => {
    const value = body({ service_tier: 'flex', prediction: { type: 'content', content: 'x' } });
    const { request } = validateChatRequest(value);
    expect(request).toBe(value);
    expect((request as unknown as Record<string, unknown>).service_tier).toBe('flex');
  });

  it('normalises the "image_url": "<url>" shorthand to the object form', () => {
    const value = body({}, [user([{ type: 'image_url', image_url: 'https://example.com/a.png' }])]);
    validateChatRequest(value);
    expect(
      (value.messages as Array<{ content: Array<{ image_url: unknown }> }>)[0].content[0].image_url,
    ).toEqual({ url: 'https://example.com/a.png' });
  });

  it('reports stream and include_usage', () => {
    expect(
      validateChatRequest(body({ stream: true, stream_options: { include_usage: true } })),
    ).toMatchObject({ stream: true, includeUsage: true });
    expect(validateChatRequest(body({ stream: true }))).toMatchObject({ stream: true, includeUsage: false });
    expect(validateChatRequest(body())).toMatchObject({ stream: false, includeUsage: false });
  });

  it('accepts a full valid request with every standard parameter', () => {
    const value = body(
      {
        temperature: 0.2,
        top_p: 0.9,
        n: 2,
        stop: ['END'],
        max_tokens: 10,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        logit_bias: { '1': 5 },
        user: 'u',
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
        seed: 7,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        reasoning_effort: 'low',
        logprobs: true,
        top_logprobs: 2,
        metadata: { a: 'b' },
        stream: true,
        stream_options: { include_usage: true },
      },
      [
        { role: 'system', content: 's' },
        { role: 'developer', content: [{ type: 'text', text: 'd' }] },
        user([
          { type: 'text', text: 'q' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        ]),
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    );
    expect(() => validateChatRequest(value)).not.toThrow();
  });
});
