import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { Stream } from '@anthropic-ai/sdk/core/streaming';

/** Jest runs from the repository root (ES-module mode has no __dirname). */
export const FIXTURE_DIRECTORY = join(process.cwd(), 'libs/providers/src/anthropic/__fixtures__');

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURE_DIRECTORY, name), 'utf8');
}

/** Parses a recorded SSE stream with the SDK's own parser, exactly as production does (ping skipped, error thrown). */
export function replaySseFixture(name: string): AsyncIterable<RawMessageStreamEvent> {
  const response = new Response(readFixture(name), { headers: { 'content-type': 'text/event-stream' } });
  return Stream.fromSSEResponse<RawMessageStreamEvent>(response, new AbortController());
}
