import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { eventStreamResponse } from '../../__fixtures__/event-stream-response';
import { geminiStreamEvents } from '../gemini-stream-events';

/** Jest runs from the repository root (ES-module mode has no __dirname). */
export const FIXTURE_DIRECTORY = join(process.cwd(), 'libs/providers/src/gemini/__fixtures__');

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURE_DIRECTORY, name), 'utf8');
}

/** One JSON event per line → the SSE body Google sends (`data: {...}\r\n\r\n`). */
export function sseBodyOf(name: string): string {
  return readFixture(name)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => `data: ${line}\r\n\r\n`)
    .join('');
}

/** A real SDK client whose fetch answers with the given body: fixtures go through the SDK's own parser. */
export function sdkAnswering(body: string, status = 200, contentType = 'text/event-stream'): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: 'fixture-key',
    httpOptions: {
      baseUrl: 'http://fixture.invalid',
      fetch: async () => new Response(body, { status, headers: { 'content-type': contentType } }),
    },
  });
}

/** The SDK's own reading of a recorded stream: what the gateway's reader must match. */
export async function sdkStreamEvents(body: string): Promise<AsyncIterable<GenerateContentResponse>> {
  return sdkAnswering(body).models.generateContentStream({
    model: 'gemini-2.0-flash',
    contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    config: { automaticContinuation: false },
  });
}

/**
 * Parses an SSE body exactly as production does, in reads of `readBytes` (by default all in one read, as
 * a fast upstream often sends it).
 */
export function replayStreamBody(
  body: string,
  readBytes?: number,
): AsyncIterable<GenerateContentResponse[]> {
  return geminiStreamEvents(eventStreamResponse(body, readBytes));
}

/** Replays a recorded stream exactly as production receives it. */
export function replayStreamFixture(name: string, readBytes?: number): AsyncIterable<GenerateContentResponse[]> {
  return replayStreamBody(sseBodyOf(name), readBytes);
}

/** A recorded non-streamed response, parsed by the SDK. */
export async function replayResponseFixture(name: string): Promise<GenerateContentResponse> {
  return sdkAnswering(readFixture(name), 200, 'application/json').models.generateContent({
    model: 'gemini-2.0-flash',
    contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    config: { automaticContinuation: false },
  });
}
