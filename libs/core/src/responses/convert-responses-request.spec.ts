import { GatewayError } from '../gateway-error';
import { convertResponsesRequest } from './convert-responses-request';

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function rejection(body: unknown): GatewayError {
  try {
    convertResponsesRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('convertResponsesRequest', () => {
  it('turns a string input into one user message and keeps the client model name', () => {
    const converted = convertResponsesRequest({ model: 'claude-sonnet-4', input: 'Hello' });
    expect(converted.chatRequest).toEqual({
      model: 'claude-sonnet-4',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(converted.stream).toBe(false);
    expect(converted.droppedParameters).toEqual([]);
  });

  it('puts instructions first as the system message', () => {
    const converted = convertResponsesRequest({ model: 'm', input: 'Hi', instructions: 'Be brief.' });
    expect(converted.chatRequest.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(converted.echo.instructions).toBe('Be brief.');
  });

  it.each([
    [{ max_output_tokens: 300 }, { max_completion_tokens: 300 }],
    [{ temperature: 0.2 }, { temperature: 0.2 }],
    [{ top_p: 0.9 }, { top_p: 0.9 }],
    [{ parallel_tool_calls: false }, { parallel_tool_calls: false }],
    [{ reasoning: { effort: 'low' } }, { reasoning_effort: 'low' }],
    [{ user: 'u-1' }, { user: 'u-1' }],
    [{ safety_identifier: 'hash' }, { safety_identifier: 'hash' }],
    [{ prompt_cache_key: 'k' }, { prompt_cache_key: 'k' }],
    [{ prompt_cache_retention: '24h' }, { prompt_cache_retention: '24h' }],
    [{ service_tier: 'flex' }, { service_tier: 'flex' }],
    [{ text: { verbosity: 'low' } }, { verbosity: 'low' }],
    [{ ocr_model: 'local-ocr' }, { ocr_model: 'local-ocr' }],
    [{ text: { format: { type: 'json_object' } } }, { response_format: { type: 'json_object' } }],
    [
      { text: { format: { type: 'json_schema', name: 'Person', schema: { type: 'object' }, strict: true } } },
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'Person', schema: { type: 'object' }, strict: true },
        },
      },
    ],
  ])('maps %j onto the chat request as %j', (parameters, expected) => {
    const { chatRequest } = convertResponsesRequest({ model: 'm', input: 'x', ...parameters });
    expect(chatRequest).toMatchObject(expected);
  });

  it.each([
    [{ text: { format: { type: 'text' } } }, 'response_format'],
    [{ metadata: { team: 'a' } }, 'metadata'],
    [{ store: false }, 'store'],
    [{ background: false }, 'background'],
    [{ truncation: 'disabled' }, 'truncation'],
  ])('sends nothing upstream for %j', (parameters, chatField) => {
    const { chatRequest } = convertResponsesRequest({ model: 'm', input: 'x', ...parameters });
    expect(chatRequest).not.toHaveProperty(chatField);
  });

  it('echoes metadata and the schema-required defaults on the Response', () => {
    const { echo } = convertResponsesRequest({ model: 'm', input: 'x', metadata: { team: 'a' } });
    expect(echo).toMatchObject({
      metadata: { team: 'a' },
      instructions: null,
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      temperature: null,
      top_p: null,
      text: { format: { type: 'text' } },
      max_output_tokens: null,
    });
  });

  it('takes reasoning.summary (the reasoning text then fills the summary) without dropping it', () => {
    const converted = convertResponsesRequest({
      model: 'm',
      input: 'x',
      reasoning: { effort: 'high', summary: 'auto' },
    });
    expect(converted.echo.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(converted.chatRequest.reasoning_effort).toBe('high');
    expect(converted.droppedParameters).toEqual([]);
  });

  it('reads stream: true', () => {
    expect(convertResponsesRequest({ model: 'm', input: 'x', stream: true }).stream).toBe(true);
  });

  it.each([
    [{ include: ['reasoning.encrypted_content'] }, ['include:reasoning.encrypted_content']],
    [{ stream: true, stream_options: { include_obfuscation: true } }, ['stream_options.include_obfuscation']],
    [
      {
        input: [
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { role: 'user', content: 'x' },
        ],
      },
      ['input.reasoning'],
    ],
    [
      {
        input: [
          { role: 'assistant', content: 'a', phase: 'final_answer' },
          { role: 'user', content: 'x' },
        ],
      },
      ['input.phase'],
    ],
  ])('drops %j by documented policy and reports %j', (parameters, dropped) => {
    expect(convertResponsesRequest({ model: 'm', input: 'x', ...parameters }).droppedParameters).toEqual(
      dropped,
    );
  });

  it.each([
    [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ store: true }, 'store'],
    [{ background: true }, 'background'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ prompt: { id: 'pmpt_1' } }, 'prompt'],
    [{ context_management: [{ type: 'compaction' }] }, 'context_management'],
    [{ max_tool_calls: 3 }, 'max_tool_calls'],
    [{ top_logprobs: 2 }, 'top_logprobs'],
    [{ truncation: 'auto' }, 'truncation'],
    [{ include: ['message.output_text.logprobs'] }, 'include[0]'],
    [{ include: ['nonsense'] }, 'include[0]'],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [{ tools: [{ type: 'file_search', vector_store_ids: ['vs'] }] }, 'tools[0].type'],
    [
      {
        tools: [{ type: 'computer_use_preview', display_width: 1, display_height: 1, environment: 'linux' }],
      },
      'tools[0].type',
    ],
    [
      { tools: [{ type: 'function', name: 'f', parameters: {}, strict: null, defer_loading: true }] },
      'tools[0].defer_loading',
    ],
    [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type'],
    [{ reasoning: { mode: 'pro' } }, 'reasoning.mode'],
    [{ frequency_penalty: 1 }, 'frequency_penalty'],
    [{ temperature: 3 }, 'temperature'],
    [{ max_output_tokens: 0 }, 'max_output_tokens'],
    [{ stream_options: { include_obfuscation: false } }, 'stream_options'],
    [{ metadata: { n: 1 } }, 'metadata.n'],
    [{ model: '' }, 'model'],
    [{ model: 7 }, 'model'],
    [{ input: undefined }, 'input'],
    [{ input: [] }, 'input'],
    [{ text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name'],
    [{ text: { format: { type: 'xml' } } }, 'text.format.type'],
  ])('rejects %j with a 400 naming %s', (parameters, param) => {
    const error = rejection({ model: 'm', input: 'x', ...parameters });
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(param);
  });

  it('rejects a body that is not an object', () => {
    expect(rejection('hello').param).toBe('body');
  });
});

describe('convertResponsesRequest input items', () => {
  it('maps input_text and input_image parts (data URI and URL, with detail) onto chat parts', () => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare these.' },
            { type: 'input_image', image_url: PNG, detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/dog.jpg', detail: 'original' },
            { type: 'input_image', image_url: 'https://example.com/bird.jpg' },
          ],
        },
      ],
    });
    expect(chatRequest.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'auto' } },
          { type: 'image_url', image_url: { url: 'https://example.com/dog.jpg', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/bird.jpg' } },
        ],
      },
    ]);
  });

  it('replays an earlier turn: output message, function calls joined to it, and their outputs', () => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'Weather in Paris and Rome?' }],
        },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
        },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_a',
          name: 'weather',
          arguments: '{"city":"Paris"}',
          status: 'completed',
        },
        {
          type: 'function_call',
          id: 'fc_2',
          call_id: 'call_b',
          name: 'weather',
          arguments: '{"city":"Rome"}',
        },
        { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'rain' }] },
      ],
    });
    expect(chatRequest.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.' }],
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'rain' }] },
    ]);
  });

  it('keeps images in a function call output as image parts of the tool message', () => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'Take a screenshot.' },
        { type: 'function_call', call_id: 'c', name: 'screenshot', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c',
          output: [
            { type: 'input_text', text: 'Here:' },
            { type: 'input_image', image_url: PNG, detail: 'high' },
          ],
        },
      ],
    });
    expect(chatRequest.messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'c',
      content: [
        { type: 'text', text: 'Here:' },
        { type: 'image_url', image_url: { url: PNG, detail: 'high' } },
      ],
    });
  });

  it('starts an assistant message for a function call with no assistant text before it', () => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'x' },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      ],
    });
    expect(chatRequest.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
    });
  });

  it.each([
    [
      'system',
      [{ type: 'input_text', text: 'rules' }],
      { role: 'system', content: [{ type: 'text', text: 'rules' }] },
    ],
    ['developer', 'rules', { role: 'developer', content: 'rules' }],
    ['assistant', 'earlier answer', { role: 'assistant', content: 'earlier answer' }],
    [
      'assistant',
      [{ type: 'refusal', refusal: 'No.' }],
      { role: 'assistant', content: null, refusal: 'No.' },
    ],
  ])('maps a %s message', (role, content, expected) => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        { role, content },
        { role: 'user', content: 'x' },
      ],
    });
    expect(chatRequest.messages[0]).toEqual(expected);
  });

  it('maps an inline input_file onto a chat file part', () => {
    const { chatRequest } = convertResponsesRequest({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        },
      ],
    });
    expect(chatRequest.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
      ],
    });
  });

  it.each([
    [
      [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }],
      'input[0].content[0].file_id',
    ],
    [
      [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_image', detail: 'auto' },
          ],
        },
      ],
      'input[0].content[1].image_url',
    ],
    [
      [{ role: 'user', content: [{ type: 'input_image', image_url: '', detail: 'auto' }] }],
      'input[0].content[0].image_url',
    ],
    [
      [{ role: 'user', content: [{ type: 'input_image', image_url: PNG, detail: 'max' }] }],
      'input[0].content[0].detail',
    ],
    [[{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }], 'input[0].content[0].file_id'],
    [
      [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x/a.pdf' }] }],
      'input[0].content[0].file_url',
    ],
    [[{ role: 'user', content: [{ type: 'input_audio' }] }], 'input[0].content[0].type'],
    [
      [{ role: 'system', content: [{ type: 'input_image', image_url: PNG, detail: 'auto' }] }],
      'input[0].content[0].type',
    ],
    [
      [{ role: 'assistant', content: [{ type: 'input_image', image_url: PNG, detail: 'auto' }] }],
      'input[0].content[0].type',
    ],
    [[{ role: 'tool', content: 'x' }], 'input[0].role'],
    [[{ type: 'item_reference', id: 'msg_1' }], 'input[0].type'],
    [[{ type: 'web_search_call', id: 'ws_1' }], 'input[0].type'],
    [[{ content: 'x' }], 'input[0]'],
    [['x'], 'input[0]'],
    [
      [
        { role: 'user', content: 'x' },
        { type: 'function_call', name: 'f', arguments: '{}' },
      ],
      'input[1].call_id',
    ],
    [
      [
        { role: 'user', content: 'x' },
        { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_file', file_data: 'x' }] },
      ],
      'input[1].output[0].type',
    ],
  ])('rejects input %j with a 400 naming %s', (input, param) => {
    const error = rejection({ model: 'm', input });
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('convertResponsesRequest tools', () => {
  it('maps flat function tools to nested chat tools and echoes them with the required fields', () => {
    const converted = convertResponsesRequest({
      model: 'm',
      input: 'x',
      tools: [
        {
          type: 'function',
          name: 'weather',
          description: 'Weather now',
          parameters: { type: 'object' },
          strict: true,
        },
        { type: 'function', name: 'time' },
      ],
    });
    expect(converted.chatRequest.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Weather now',
          parameters: { type: 'object' },
          strict: true,
        },
      },
      { type: 'function', function: { name: 'time' } },
    ]);
    expect(converted.echo.tools).toEqual([
      {
        type: 'function',
        name: 'weather',
        description: 'Weather now',
        parameters: { type: 'object' },
        strict: true,
      },
      { type: 'function', name: 'time', description: null, parameters: null, strict: null },
    ]);
  });

  it.each([
    ['none', 'none'],
    ['auto', 'auto'],
    ['required', 'required'],
    [
      { type: 'function', name: 'weather' },
      { type: 'function', function: { name: 'weather' } },
    ],
    [
      { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'weather' }] },
      {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'weather' } }] },
      },
    ],
  ])('maps tool_choice %j to %j', (toolChoice, expected) => {
    const converted = convertResponsesRequest({ model: 'm', input: 'x', tool_choice: toolChoice });
    expect(converted.chatRequest.tool_choice).toEqual(expected);
    expect(converted.echo.tool_choice).toEqual(toolChoice);
  });
});
