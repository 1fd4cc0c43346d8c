import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { eventStreamResponse } from '../../__fixtures__/event-stream-response';
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
  return anthropicStreamEvents(eventStreamResponse(readFixture(name), readBytes));
}
