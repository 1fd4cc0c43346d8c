import { GatewayError } from '@app/core';
import { replayResponseFixture } from './__fixtures__/replay-gemini-fixture';
import { convertGeminiLogprobs } from './convert-gemini-parts';
import {
  assertPromptNotBlocked,
  convertGeminiResponse,
  type AssistantMessage,
} from './convert-gemini-response';
import { thoughtSignatureOfToolCallId } from './tool-call-id';

describe('convertGeminiResponse', () => {
  it('text, thoughts, function call with signature, usage (recorded shape through the SDK)', async () => {
    const response = await replayResponseFixture('gemini-text-and-call.response.json');
    const completion = convertGeminiResponse(response, { model: 'gemini-3-pro-preview' });
    expect(completion).toMatchObject({
      id: 'chatcmpl-xtSfaIRs8_Sf2Q-skYe5Dg',
      object: 'chat.completion',
      model: 'gemini-3-pro-preview',
    });
    const choice = completion.choices[0];
    const message = choice.message as AssistantMessage;
    expect(message.content).toBe('The answer is 42.');
    expect(message.reasoning_content).toBe('**Plan**');
    expect(message.tool_calls).toEqual([
      { id: expect.any(String), type: 'function', function: { name: 'log', arguments: '{"v":42}' } },
    ]);
    expect(thoughtSignatureOfToolCallId(message.tool_calls![0].id)).toBe('CiQBAAAA');
    expect(choice.finish_reason).toBe('tool_calls');
    expect(completion.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 10,
      total_tokens: 20,
      prompt_tokens_details: { cached_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it.each([
    ['STOP', [{ text: 'ok' }], 'stop', 'ok'],
    ['MAX_TOKENS', [{ text: 'trunc' }], 'length', 'trunc'],
    ['SAFETY', undefined, 'content_filter', ''],
    ['RECITATION', [{ text: 'x' }], 'content_filter', 'x'],
    ['STOP', [{ functionCall: { name: 'f', args: {} } }], 'tool_calls', null],
  ])('finishReason %s → %s', (finishReason, parts, expected, content) => {
    const completion = convertGeminiResponse(
      {
        candidates: [
          { content: parts ? { role: 'model', parts } : undefined, finishReason: finishReason as never },
        ],
      } as never,
      { model: 'm' },
    );
    expect(completion.choices[0].finish_reason).toBe(expected);
    expect(completion.choices[0].message.content).toBe(content);
  });

  it('several candidates → several choices', () => {
    const completion = convertGeminiResponse(
      {
        candidates: [
          { index: 0, content: { role: 'model', parts: [{ text: 'a' }] }, finishReason: 'STOP' },
          { index: 1, content: { role: 'model', parts: [{ text: 'b' }] }, finishReason: 'STOP' },
        ],
      } as never,
      { model: 'm' },
    );
    expect(completion.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });

  it('blocked prompt (200, no candidates) → 400 content_filter with the reason', async () => {
    const response = await replayResponseFixture('gemini-blocked-prompt.json');
    expect(() => convertGeminiResponse(response, { model: 'm' })).toThrow(GatewayError);
    expect(() => assertPromptNotBlocked(response)).toThrow(/PROHIBITED_CONTENT/);
    try {
      convertGeminiResponse(response, { model: 'm' });
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'content_filter', type: 'invalid_request_error' });
    }
  });

  it('no candidates and no block reason → 502', () => {
    expect(() => convertGeminiResponse({} as never, { model: 'm' })).toThrow(
      expect.objectContaining({ status: 502 }),
    );
  });

  it('logs unmapped finish reasons', () => {
    const seen: string[] = [];
    convertGeminiResponse(
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: 'OTHER' }],
      } as never,
      {
        model: 'm',
        onUnmappedFinishReason: (reason) => seen.push(reason),
      },
    );
    expect(seen).toEqual(['OTHER']);
  });
});

describe('convertGeminiLogprobs', () => {
  it('chosen + top candidates → OpenAI logprobs.content', () => {
    expect(
      convertGeminiLogprobs({
        chosenCandidates: [{ token: 'Hi', logProbability: -0.1 }],
        topCandidates: [
          {
            candidates: [
              { token: 'Hi', logProbability: -0.1 },
              { token: 'Yo', logProbability: -2 },
            ],
          },
        ],
      }),
    ).toEqual({
      content: [
        {
          token: 'Hi',
          logprob: -0.1,
          bytes: [72, 105],
          top_logprobs: [
            { token: 'Hi', logprob: -0.1, bytes: [72, 105] },
            { token: 'Yo', logprob: -2, bytes: [89, 111] },
          ],
        },
      ],
      refusal: null,
    });
    expect(convertGeminiLogprobs(undefined)).toBeNull();
  });
});
