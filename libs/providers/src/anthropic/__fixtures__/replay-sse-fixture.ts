import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { anthropicStreamEvents } from '../anthropic-stream-events';

/** Jest runs from the repository root (ES-module mode has no __dirname). */
export const FIXTURE_DIRECTORY = join(process.cwd(), 'libs/providers/src/anthropic/__fixtures__');

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURE_DIRECTORY, name), 'utf8');
}

/**
 * Parses a recorded SSE stream exactly as production does (ping skipped, error thrown), in reads of
 * `readBytes` (by default the whole recording in one read, as a fast upstream often sends it).
 */
export function replaySseFixture(
  name: string,
  readBytes = Number.MAX_SAFE_INTEGER,
): AsyncIterable<RawMessageStreamEvent[]> {
  const bytes = Buffer.from(readFixture(name), 'utf8');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += readBytes)
        controller.enqueue(bytes.subarray(offset, offset + readBytes));
      controller.close();
    },
  });
  return anthropicStreamEvents(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
}
