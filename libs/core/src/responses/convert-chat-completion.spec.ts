import type { ChatCompletion } from '../openai-types';
import { convertChatCompletion } from './convert-chat-completion';
import { convertResponsesRequest } from './convert-responses-request';
import { sequentialResponseIds } from './response-ids';
import { createResponseSkeleton } from './response-skeleton';

type Message = ChatCompletion.Choice['message'] & { reasoning_content?: string };

function completion(
  message: Partial<Message>,
  finishReason: ChatCompletion.Choice['finish_reason'] = 'stop',
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'upstream-model',
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        logprobs: null,
        message: { role: 'assistant', content: null, refusal: null, ...message },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
  };
}

function convert(chat: ChatCompletion) {
  const skeleton = createResponseSkeleton(
    { id: 'resp_1', createdAt: 1700000000, model: 'client-model' },
    convertResponsesRequest({ model: 'client-model', input: 'x', temperature: 0.5 }).echo,
  );
  return convertChatCompletion(chat, skeleton, sequentialResponseIds(), 1700000005);
}

describe('convertChatCompletion', () => {
  it('builds the Response object with a message item, output_text and usage', () => {
    const response = convert(completion({ content: 'Hello!' }));
    expect(response).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 1700000000,
      completed_at: 1700000005,
      status: 'completed',
      model: 'client-model',
      error: null,
      incomplete_details: null,
      temperature: 0.5,
      output_text: 'Hello!',
      usage: { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
    });
    expect(response.output).toEqual([
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }],
      },
    ]);
  });

  it('orders a reasoning item, the message, then function calls', () => {
    const response = convert(
      completion(
        {
          reasoning_content: 'Think first.',
          content: 'Calling tools.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
            { id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(response.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'function_call',
    ]);
    expect(response.output[0]).toEqual({
      id: 'rs_1',
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'Think first.' }],
      status: 'completed',
    });
    expect(response.output[2]).toEqual({
      id: 'fc_3',
      type: 'function_call',
      call_id: 'call_a',
      name: 'f',
      arguments: '{"x":1}',
      status: 'completed',
    });
  });

  it('gives only function_call items when there is no text', () => {
    const response = convert(
      completion(
        { tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        'tool_calls',
      ),
    );
    expect(response.output.map((item) => item.type)).toEqual(['function_call']);
    expect(response.output_text).toBe('');
  });

  it('marks a response cut by max tokens incomplete', () => {
    const response = convert(completion({ content: 'Once upon' }, 'length'));
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.completed_at).toBeNull();
    expect(response.output[0]).toMatchObject({ status: 'incomplete' });
  });

  it('keeps a refusal as a refusal part', () => {
    const response = convert(completion({ refusal: 'I cannot.' }));
    expect(response.output[0]).toMatchObject({ content: [{ type: 'refusal', refusal: 'I cannot.' }] });
    expect(response.output_text).toBe('');
  });

  it('leaves usage out when the backend reported none', () => {
    const chat = completion({ content: 'x' });
    delete chat.usage;
    expect(convert(chat)).not.toHaveProperty('usage');
  });
});
