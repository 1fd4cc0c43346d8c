import type { ChatCompletionChunk } from '@app/core';

const CHUNK_KEYS = ['id', 'object', 'created', 'model', 'choices'] as const;
const CHOICE_KEYS = ['index', 'delta', 'finish_reason', 'logprobs'] as const;
const DELTA_KEYS = ['content'] as const;

/**
 * Chat chunks as JSON, exactly as `JSON.stringify` writes them, for one stream. Most of a stream is chunks
 * of one choice whose delta is only text; those are written from a template whose start (id, object,
 * created, model) is built once per stream, as the plain-Node floor does. Walking each chunk's nested
 * objects in `JSON.stringify` was the largest part of a stream's own work. Any other chunk (role, tool
 * calls, finish, usage, several choices, other keys or key order) goes to `JSON.stringify`.
 */
export class ChatChunkJson {
  private prefixFor?: { id: string; object: string; created: number; model: string };
  private prefix = '';

  write(chunk: ChatCompletionChunk): string {
    const content = this.textContent(chunk);
    if (content === undefined) return JSON.stringify(chunk);
    const choice = chunk.choices[0];
    const usage = chunk.usage === null ? ',"usage":null' : '';
    return `${this.prefixOf(chunk)}{"index":${choice.index},"delta":{"content":${JSON.stringify(content)}},"finish_reason":null,"logprobs":null}]${usage}}`;
  }

  /** The delta's text when the chunk has exactly the template's keys, in its order, and values. */
  private textContent(chunk: ChatCompletionChunk): string | undefined {
    if (!hasKeys(chunk, CHUNK_KEYS, 'usage') || (chunk.usage !== undefined && chunk.usage !== null)) return;
    if (typeof chunk.id !== 'string' || typeof chunk.object !== 'string' || typeof chunk.model !== 'string')
      return;
    if (!Number.isFinite(chunk.created) || !Array.isArray(chunk.choices) || chunk.choices.length !== 1)
      return;
    const choice = chunk.choices[0];
    if (!hasKeys(choice, CHOICE_KEYS) || !Number.isFinite(choice.index)) return;
    if (choice.finish_reason !== null || choice.logprobs !== null) return;
    const delta = choice.delta;
    if (typeof delta !== 'object' || delta === null || !hasKeys(delta, DELTA_KEYS)) return;
    return typeof delta.content === 'string' ? delta.content : undefined;
  }

  private prefixOf(chunk: ChatCompletionChunk): string {
    const last = this.prefixFor;
    if (
      !last ||
      last.id !== chunk.id ||
      last.object !== chunk.object ||
      last.created !== chunk.created ||
      last.model !== chunk.model
    ) {
      const { id, object, created, model } = chunk;
      this.prefixFor = { id, object, created, model };
      this.prefix = `{"id":${JSON.stringify(id)},"object":${JSON.stringify(object)},"created":${created},"model":${JSON.stringify(model)},"choices":[`;
    }
    return this.prefix;
  }
}

/** The object's own keys are exactly `keys` in order, optionally followed by `optionalLast`. */
function hasKeys(object: object, keys: readonly string[], optionalLast?: string): boolean {
  let position = 0;
  for (const key in object) {
    if (position < keys.length ? key !== keys[position] : key !== optionalLast || position > keys.length)
      return false;
    position++;
  }
  return position === keys.length || (optionalLast !== undefined && position === keys.length + 1);
}
