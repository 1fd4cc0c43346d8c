import { readdirSync } from 'node:fs';
import { ApiError, type GenerateContentResponse } from '@google/genai';
import {
  FIXTURE_DIRECTORY,
  replayStreamBody,
  sdkStreamEvents,
  sseBodyOf,
} from './__fixtures__/replay-gemini-fixture';

interface Outcome {
  events: unknown[];
  error?: { name: string; status?: number; message: string };
}

/** The top-level fields the SDK keeps of a Developer API event (it drops any other; the translator reads only these). */
const SDK_FIELDS = [
  'candidates',
  'modelVersion',
  'promptFeedback',
  'responseId',
  'usageMetadata',
  'modelStatus',
];

/** The events as plain data (the SDK's are class instances that also carry the response headers). */
async function drain(events: AsyncIterable<GenerateContentResponse>): Promise<Outcome> {
  const plain: unknown[] = [];
  try {
    for await (const event of events) {
      const fields = Object.entries(event).filter(([key]) => SDK_FIELDS.includes(key));
      plain.push(JSON.parse(JSON.stringify(Object.fromEntries(fields))));
    }
    return { events: plain };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { events: plain, error: { name: error.name, status: error.status, message: error.message } };
  }
}

async function* flatten(
  batches: AsyncIterable<GenerateContentResponse[]>,
): AsyncGenerator<GenerateContentResponse> {
  for await (const batch of batches) yield* batch;
}

const fixtures = readdirSync(FIXTURE_DIRECTORY).filter((name) => name.endsWith('.stream.jsonl'));
const MID_STREAM_ERROR =
  'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}\r\n\r\n' +
  'data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n';

describe('geminiStreamEvents', () => {
  it('has recorded streams to compare', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    ...fixtures.map((name) => [name, sseBodyOf(name)]),
    ['an error event after a text event', MID_STREAM_ERROR],
    [
      'LF line ends and an error object whose code is not an HTTP status (an ordinary event, as in the SDK)',
      'data: {"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"finishReason":"STOP"}]}\n\n' +
        'data: {"error":{"code":"odd"}}\n\n',
    ],
  ])('%s: the same events and error as the SDK, in one read and in 5-byte reads', async (_name, body) => {
    const expected = await drain(await sdkStreamEvents(body));
    expect(expected.events.length).toBeGreaterThan(0);
    expect(await drain(flatten(replayStreamBody(body)))).toEqual(expected);
    expect(await drain(flatten(replayStreamBody(body, 5)))).toEqual(expected);
  });

  it('gives every event of one read in one batch', async () => {
    const batches: GenerateContentResponse[][] = [];
    for await (const batch of replayStreamBody(sseBodyOf('gemini-text.stream.jsonl'))) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0].at(-1)?.candidates?.[0].finishReason).toBe('STOP');
  });

  it('hands on the events before an error in the same read, then throws it with its status', async () => {
    const batches: GenerateContentResponse[][] = [];
    let failure: unknown;
    try {
      for await (const batch of replayStreamBody(MID_STREAM_ERROR)) batches.push(batch);
    } catch (error) {
      failure = error;
    }
    expect(batches.map((batch) => batch.length)).toEqual([1]);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(503);
    expect((failure as ApiError).message).toContain('"The model is overloaded."');
  });

  it('data that is not JSON is an error', async () => {
    await expect(flatten(replayStreamBody('data: {"candidates": [\r\n\r\n')).next()).rejects.toBeInstanceOf(
      SyntaxError,
    );
  });
});
