import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages/messages';
import { GatewayError, type ChatCompletionChunk, type Logger } from '@app/core';
import { completionId } from './convert-anthropic-response';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason';
import { mapAnthropicUsage, type AnthropicUsageFields } from './map-anthropic-usage';

/** OpenAI's chunk delta plus the de-facto `reasoning_content` field for thinking text. */
type Delta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };

export interface StreamContext {
  /** The upstream model name (the app overwrites it with the client's name). */
  model: string;
  /** The forced JSON tool whose input streams as `content` (`structuredOutputs: 'tool'`). */
  structuredOutputTool?: string;
  /** Choice index (for `n > 1`, each upstream stream is one choice). */
  choiceIndex?: number;
  /** Shared id/created for merged `n > 1` streams; by default from `message_start` and the clock. */
  id?: string;
  created?: number;
  logger?: Logger;
  /** Tells an upstream that ended early because the client left from one that broke. */
  signal?: AbortSignal;
}

type BlockState =
  | { kind: 'text' | 'thinking' | 'ignored' }
  | { kind: 'tool'; toolIndex: number; hasArguments: boolean }
  | { kind: 'structured'; hasArguments: boolean };

/** Turns Claude's stream events into OpenAI chunks, a batch of events at a time. */
export interface AnthropicChunkTranslator {
  /** The chunks for these events (often none: `message_start`, `content_block_stop`, ...). */
  translate(events: readonly RawMessageStreamEvent[]): ChatCompletionChunk[];
  /** The upstream body has ended: throws unless `message_stop` was seen (a cut stream is never a success). */
  finish(): void;
}

/**
 * Claude stream events (as `anthropicStreamEvents` gives them: `ping` skipped, an `error` event thrown as
 * APIError) → OpenAI chunks. Synchronous, so the events of one upstream read are translated in one step.
 * The role chunk is held back until the first content so an error that arrives before any content (e.g.
 * `overloaded_error` right after `message_start`) still becomes a real HTTP status. Exactly one chunk
 * carries `finish_reason`; a final usage chunk (`choices: []`) follows `message_stop`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicChunkTranslator(context: StreamContext): AnthropicChunkTranslator {
  const index = context.choiceIndex ?? 0;
  let id = context.id ?? 'chatcmpl-pending';
  const created = context.created ?? Math.floor(Date.now() / 1000);
  const usage: AnthropicUsageFields = {};
  const blocks = new Map<number, BlockState>();
  let toolCount = 0;
  let roleSent = false;
  let finishSent = false;
  let stopped = false;
  /** The chunks of the batch being translated. */
  let out: ChatCompletionChunk[] = [];

  const chunk = (
    delta: Delta,
    finishReason: ChatCompletionChunk.Choice['finish_reason'] = null,
  ): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: context.model,
    choices: [{ index, delta, finish_reason: finishReason, logprobs: null }],
  });
  // The held-back role chunk, then the given delta.
  function emit(delta: Delta, finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): void {
    if (!roleSent) {
      roleSent = true;
      out.push(chunk({ role: 'assistant', content: '' }));
    }
    out.push(chunk(delta, finishReason));
  }

  function translateEvent(event: RawMessageStreamEvent): void {
    switch (event.type) {
      case 'message_start':
        if (!context.id) id = completionId(event.message.id);
        Object.assign(usage, definedUsage(event.message.usage));
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') {
          blocks.set(event.index, { kind: 'text' });
          if (block.text) emit({ content: block.text });
        } else if (block.type === 'thinking') {
          blocks.set(event.index, { kind: 'thinking' });
          if (block.thinking) emit({ reasoning_content: block.thinking });
        } else if (block.type === 'tool_use' && block.name === context.structuredOutputTool) {
          blocks.set(event.index, { kind: 'structured', hasArguments: false });
        } else if (block.type === 'tool_use') {
          const toolIndex = toolCount++;
          blocks.set(event.index, { kind: 'tool', toolIndex, hasArguments: false });
          emit({
            tool_calls: [
              {
                index: toolIndex,
                id: block.id,
                type: 'function',
                function: { name: block.name, arguments: '' },
              },
            ],
          });
        } else {
          // redacted_thinking and server-tool blocks: nothing OpenAI can represent; the gateway enables no server tools.
          blocks.set(event.index, { kind: 'ignored' });
        }
        break;
      }
      case 'content_block_delta': {
        const state = blocks.get(event.index);
        const delta = event.delta;
        switch (delta.type) {
          case 'text_delta':
            if (state?.kind === 'text' && delta.text) emit({ content: delta.text });
            break;
          case 'thinking_delta':
            if (state?.kind === 'thinking' && delta.thinking) emit({ reasoning_content: delta.thinking });
            break;
          case 'input_json_delta':
            if (!delta.partial_json) break;
            if (state?.kind === 'tool') {
              state.hasArguments = true;
              emit({
                tool_calls: [{ index: state.toolIndex, function: { arguments: delta.partial_json } }],
              });
            } else if (state?.kind === 'structured') {
              state.hasArguments = true;
              emit({ content: delta.partial_json });
            }
            break;
          case 'signature_delta': // only needed to send thinking back to Claude, which OpenAI clients cannot do
          case 'citations_delta': // no OpenAI chat equivalent
            break;
          default: {
            const unknown: never = delta;
            context.logger?.warn(
              { delta: (unknown as { type: string }).type },
              'unknown Claude content delta',
            );
          }
        }
        break;
      }
      case 'content_block_stop': {
        const state = blocks.get(event.index);
        // A tool without arguments still gets valid JSON arguments.
        if (state?.kind === 'tool' && !state.hasArguments) {
          emit({ tool_calls: [{ index: state.toolIndex, function: { arguments: '{}' } }] });
        } else if (state?.kind === 'structured' && !state.hasArguments) {
          emit({ content: '{}' });
        }
        break;
      }
      case 'message_delta': {
        Object.assign(usage, definedUsage(event.usage));
        if (event.delta.stop_reason && !finishSent) {
          const { finishReason, known } = mapAnthropicStopReason(event.delta.stop_reason, {
            structuredOutput: [...blocks.values()].some((state) => state.kind === 'structured'),
          });
          if (!known)
            context.logger?.warn({ stopReason: event.delta.stop_reason }, 'unmapped Claude stop_reason');
          finishSent = true;
          emit({}, finishReason);
        }
        break;
      }
      case 'message_stop':
        stopped = true;
        if (!finishSent) {
          finishSent = true;
          emit({}, 'stop');
        }
        out.push({
          id,
          object: 'chat.completion.chunk',
          created,
          model: context.model,
          choices: [],
          usage: mapAnthropicUsage(usage),
        });
        break;
      default: {
        const unknown: never = event;
        context.logger?.warn({ event: (unknown as { type: string }).type }, 'unknown Claude stream event');
      }
    }
  }
  return {
    translate(events) {
      out = [];
      for (const event of events) translateEvent(event);
      return out;
    },
    finish() {
      if (stopped) return;
      // An upstream that ended early because the client left gives the client's abort back; anything else broke.
      if (context.signal?.aborted) throw context.signal.reason ?? GatewayError.cancelled();
      throw new GatewayError(502, 'The Claude stream ended before message_stop.', {
        code: 'upstream_stream_truncated',
      });
    },
  };
}

/** Usage fields that are present (message_delta repeats input counts as null when unknown). */
function definedUsage(usage: AnthropicUsageFields): AnthropicUsageFields {
  const result: AnthropicUsageFields = {};
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_read_input_tokens',
    'cache_creation_input_tokens',
  ] as const) {
    const value = usage[key];
    if (typeof value === 'number') result[key] = value;
  }
  return result;
}
