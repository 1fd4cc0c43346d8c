import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletion, ChatCompletionChunk } from '../openai-types';
import { GatewayError } from '../gateway-error';
import { chatChunksToResponseEvents } from './chat-chunks-to-response-events';
import { convertChatCompletion } from './convert-chat-completion';
import { convertResponsesRequest } from './convert-responses-request';
import { sequentialResponseIds } from './response-ids';
import { createResponseSkeleton } from './response-skeleton';
import type { ResponseStreamEvent } from './responses-types';
import { schemaErrors } from './testing/check-openai-schema';

/**
 * Every produced object and event against the official OpenAI OpenAPI schemas (Responses subset of
 * /work/shared/vendor-specs/openai.schemas.json, copied to __fixtures__).
 */
const FIXTURES = join(process.cwd(), 'libs/core/src/responses/__fixtures__');
const FIXTURE_NAMES = [
  'text',
  'tool-calls',
  'reasoning-then-text',
  'length',
  'text-then-tool-call',
  'refusal',
];

const REQUESTS = [
  { model: 'm', input: 'x' },
  {
    model: 'm',
    input: 'x',
    instructions: 'Be brief.',
    metadata: { team: 'a' },
    max_output_tokens: 100,
    temperature: 0.3,
    top_p: 0.8,
    user: 'u',
    reasoning: { effort: 'low', summary: 'auto' },
    tools: [
      { type: 'function', name: 'weather', parameters: { type: 'object', properties: {} }, strict: true },
      { type: 'function', name: 'time' },
    ],
    tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'weather' }] },
    text: {
      format: { type: 'json_schema', name: 'Out', schema: { type: 'object' }, strict: true },
      verbosity: 'low',
    },
  },
  {
    model: 'm',
    input: 'x',
    tool_choice: { type: 'function', name: 'weather' },
    text: { format: { type: 'json_object' } },
  },
];

function skeleton(body: unknown) {
  return createResponseSkeleton(
    { id: 'resp_1', createdAt: 1700000000, model: 'm' },
    convertResponsesRequest(body).echo,
  );
}

async function events(
  name: string,
  failWith?: unknown,
  request: unknown = REQUESTS[1],
): Promise<ResponseStreamEvent[]> {
  const chunks = readFileSync(join(FIXTURES, `chunks-${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ChatCompletionChunk);
  async function* source(): AsyncGenerator<ChatCompletionChunk> {
    yield* chunks;
    if (failWith) throw failWith;
  }
  const collected: ResponseStreamEvent[] = [];
  for await (const event of chatChunksToResponseEvents(source(), skeleton(request), {
    ids: sequentialResponseIds(),
    now: () => 1,
  })) {
    collected.push(event);
  }
  return collected;
}

describe('Responses shapes against the OpenAI OpenAPI schemas', () => {
  it('the checker itself rejects a response missing required fields and with unknown ones', () => {
    const broken = { ...skeleton(REQUESTS[0]), tools: undefined, surprise: 1 };
    delete broken.tools;
    expect(schemaErrors(broken, 'Response')).toEqual(
      expect.arrayContaining(["$: missing required 'tools'", "$: unknown property 'surprise'"]),
    );
  });

  it.each(REQUESTS.map((request, index) => [index, request]))(
    'request %i: the in-progress Response matches the schema',
    (_, request) => {
      expect(schemaErrors(skeleton(request), 'Response')).toEqual([]);
    },
  );

  it.each([
    ['text', { content: 'Hello', refusal: null }, 'stop'],
    [
      'reasoning and tools',
      {
        content: 'x',
        reasoning_content: 'r',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      'tool_calls',
    ],
    ['refusal', { content: null, refusal: 'no' }, 'stop'],
    ['length', { content: 'x' }, 'length'],
  ] as const)('a completed %s Response matches the schema', (_, message, finishReason) => {
    const chat = {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'u',
      choices: [
        {
          index: 0,
          finish_reason: finishReason,
          logprobs: null,
          message: { role: 'assistant', refusal: null, ...message },
        },
      ],
      usage: {
        prompt_tokens: 1,
        completion_tokens: 2,
        total_tokens: 3,
        prompt_tokens_details: { cached_tokens: 1 },
      },
    } as ChatCompletion;
    for (const request of REQUESTS) {
      const response = convertChatCompletion(chat, skeleton(request), sequentialResponseIds(), 2);
      expect(schemaErrors(response, 'Response')).toEqual([]);
    }
  });

  it.each(
    FIXTURE_NAMES.flatMap(
      (name) =>
        [
          [name, 0],
          [name, 1],
        ] as const,
    ),
  )('every streamed event of %s (request %i) matches ResponseStreamEvent', async (name, requestIndex) => {
    for (const event of await events(name, undefined, REQUESTS[requestIndex])) {
      expect({ type: event.type, errors: schemaErrors(event, 'ResponseStreamEvent') }).toEqual({
        type: event.type,
        errors: [],
      });
    }
  });

  it('the mid-stream error event matches ResponseErrorEvent', async () => {
    const all = await events('text', new GatewayError(502, 'Bad upstream.'));
    const last = all[all.length - 1];
    expect(last.type).toBe('error');
    expect(schemaErrors(last, 'ResponseErrorEvent')).toEqual([]);
  });
});
