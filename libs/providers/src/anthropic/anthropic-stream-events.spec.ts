import { readdirSync } from 'node:fs';
import { APIError } from '@anthropic-ai/sdk';
import { Stream } from '@anthropic-ai/sdk/core/streaming';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { anthropicStreamEvents, parseStreamEvent } from './anthropic-stream-events';
import { FIXTURE_DIRECTORY, readFixture, replaySseFixture } from './__fixtures__/replay-sse-fixture';

interface Outcome {
  events: RawMessageStreamEvent[];
  error?: { status: unknown; type: unknown; apiMessage: unknown; error: unknown };
}

async function drain(iterable: AsyncIterable<RawMessageStreamEvent>): Promise<Outcome> {
  const events: RawMessageStreamEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
    return { events };
  } catch (error) {
    if (!(error instanceof APIError)) throw error;
    const { status, type, apiMessage } = error;
    return { events, error: { status, type, apiMessage, error: error.error } };
  }
}

async function* flatten(
  batches: AsyncIterable<RawMessageStreamEvent[]>,
): AsyncGenerator<RawMessageStreamEvent> {
  for await (const batch of batches) yield* batch;
}

/** The SDK's own reading of a recorded stream: what the gateway's reader must match. */
function sdkEvents(name: string): AsyncIterable<RawMessageStreamEvent> {
  const response = new Response(readFixture(name), { headers: { 'content-type': 'text/event-stream' } });
  return Stream.fromSSEResponse<RawMessageStreamEvent>(response, new AbortController());
}

const fixtures = readdirSync(FIXTURE_DIRECTORY).filter((name) => name.endsWith('.sse'));

describe('anthropicStreamEvents', () => {
  it('has recorded streams to compare', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
  });

  it.each(fixtures)(
    '%s: the same events and error as the SDK, in one read and in 5-byte reads',
    async (name) => {
      const expected = await drain(sdkEvents(name));
      expect(await drain(flatten(replaySseFixture(name)))).toEqual(expected);
      expect(await drain(flatten(replaySseFixture(name, 5)))).toEqual(expected);
    },
  );

  it('hands on the events before an error in the same read, then throws it with its type', async () => {
    const batches: RawMessageStreamEvent[][] = [];
    let failure: unknown;
    try {
      for await (const batch of replaySseFixture('anthropic-error-mid-stream.sse')) batches.push(batch);
    } catch (error) {
      failure = error;
    }
    expect(batches.map((batch) => batch.map((event) => event.type))).toEqual([
      ['message_start', 'content_block_start', 'content_block_delta'],
    ]);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).type).toBe('api_error');
  });

  it('gives every event of one read in one batch, and skips pings', async () => {
    const batches: RawMessageStreamEvent[][] = [];
    for await (const batch of replaySseFixture('anthropic-basic-response.sse')) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0].some((event) => (event.type as string) === 'ping')).toBe(false);
    expect(batches[0].at(-1)?.type).toBe('message_stop');
  });

  it('an error event whose data is not JSON keeps the text as the error body', async () => {
    const response = new Response('event: error\ndata: upstream exploded\n\n');
    const outcome = await drain(flatten(anthropicStreamEvents(response)));
    expect(outcome.error).toMatchObject({ status: undefined, error: 'upstream exploded' });
  });
});

describe('parseStreamEvent', () => {
  const delta = (index: string, text: string, after = '') =>
    `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":${text}${after}}}`;

  it.each([
    ['a plain text delta', delta('0', '"Hello"')],
    [
      'escapes, quotes and unicode',
      delta('3', JSON.stringify('a "quoted" \\ line\nbreak \u2028 é 🙂 \ud800')),
    ],
    ['an empty text', delta('12', '""')],
    ['text that looks like the end', delta('0', JSON.stringify('"}}'))],
    ['more keys after the text', delta('0', '"a"', ',"extra":"b"')],
    ['more keys after the delta', delta('0', '"a"', '},"x":{"y":"z"')],
    ['an index with a sign or an exponent', delta('1e0', '"a"')],
    [
      'another key order',
      '{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}',
    ],
    ['spaces', '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}}'],
    [
      'a thinking delta',
      '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}',
    ],
    ['another event', '{"type":"message_stop"}'],
  ])('%s: what JSON.parse gives', (_name, data) => {
    expect(parseStreamEvent(data)).toStrictEqual(JSON.parse(data));
  });

  it.each([
    ['an index with leading zeros', delta('01', '"a"')],
    ['a text that is not a string literal', delta('0', '"a" "b"')],
    ['a broken literal', delta('0', '"a\\"')],
  ])('%s: throws as JSON.parse does', (_name, data) => {
    expect(() => JSON.parse(data)).toThrow(SyntaxError);
    expect(() => parseStreamEvent(data)).toThrow(SyntaxError);
  });

  it('parses only the text of a text delta in that form', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(parseStreamEvent(delta('2', '"Hi"')).type).toBe('content_block_delta');
      expect(parse.mock.calls.map(([text]) => text)).toEqual(['"Hi"']);
    } finally {
      parse.mockRestore();
    }
  });

  it('every event of the recorded streams: what JSON.parse gives', () => {
    let textDeltas = 0;
    for (const name of fixtures) {
      for (const line of readFixture(name).split(/\r?\n/)) {
        if (!line.startsWith('data: {')) continue;
        const data = line.slice('data: '.length);
        if (data.includes('"text_delta"')) textDeltas++;
        expect(parseStreamEvent(data)).toStrictEqual(JSON.parse(data));
      }
    }
    expect(textDeltas).toBeGreaterThan(5);
  });
});
