import { readdirSync } from 'node:fs';
import { APIError } from '@anthropic-ai/sdk';
import { Stream } from '@anthropic-ai/sdk/core/streaming';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { anthropicStreamEvents } from './anthropic-stream-events';
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
