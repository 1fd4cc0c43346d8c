import type { ChatCompletionChunk, CompletionUsage } from '../openai-types';
import { isGatewayError } from '../gateway-error';
import type {
  Response,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseStreamEvent,
} from './responses-types';
import { outputTextOf, reasoningAsSummary, reasoningItem } from './convert-chat-completion';
import { convertUsage } from './convert-usage';
import { mapFinishReason } from './map-finish-reason';
import type { ResponseIdSource } from './response-ids';

/** Chunk deltas may carry reasoning text beside `content` (see `MessageWithReasoning`). */
type DeltaWithReasoning = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null };
type FinishReason = ChatCompletionChunk.Choice['finish_reason'];
type ItemStatus = 'completed' | 'incomplete';
type MessagePart = ResponseOutputMessage['content'][number];

interface OpenMessage {
  kind: 'message';
  outputIndex: number;
  id: string;
  parts: MessagePart[];
}
/** Where a message's newest content part is, as the part events name it. */
function lastPartPosition(message: OpenMessage): {
  item_id: string;
  output_index: number;
  content_index: number;
} {
  return { item_id: message.id, output_index: message.outputIndex, content_index: message.parts.length - 1 };
}

interface OpenReasoning {
  kind: 'reasoning';
  outputIndex: number;
  id: string;
  text: string;
}
interface OpenCall {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
}
/** A tool call seen in chunks: opened as an item once its name is known. */
interface PendingCall {
  callId?: string;
  name?: string;
  buffered: string;
  open?: OpenCall;
}

export interface ResponseEventOptions {
  ids: ResponseIdSource;
  /** Unix seconds, for `completed_at`. */
  now: () => number;
}

/**
 * Chat completion chunks → the Responses stream events, each with its `sequence_number`. Reasoning and
 * message items are sequential (one closes when another kind starts); function call items stay open until
 * the finish, so interleaved tool-call deltas still land in the right item. An error from the chunk source
 * after the start becomes one `error` event, and the stream ends.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export async function* chatChunksToResponseEvents(
  chunks: AsyncIterable<ChatCompletionChunk>,
  skeleton: Response,
  options: ResponseEventOptions,
): AsyncGenerator<ResponseStreamEvent> {
  let sequence = 0;
  const done: ResponseOutputItem[] = [];
  let nextOutputIndex = 0;
  let current: OpenMessage | OpenReasoning | undefined;
  const calls = new Map<number, PendingCall>();
  let finishReason: FinishReason | undefined;
  let usage: CompletionUsage | undefined;
  let closedAtFinish = false;
  const asSummary = reasoningAsSummary(skeleton);

  yield { type: 'response.created', sequence_number: sequence++, response: skeleton };
  yield { type: 'response.in_progress', sequence_number: sequence++, response: skeleton };

  function* closeCurrent(status: ItemStatus): Generator<ResponseStreamEvent> {
    const item = current;
    if (!item) return;
    current = undefined;
    if (item.kind === 'reasoning') {
      yield* closeReasoningPart(item);
      yield finishItem(item.outputIndex, reasoningItem(item.id, item.text, status, asSummary));
      return;
    }
    yield* closeLastPart(item);
    const finished: ResponseOutputMessage = {
      id: item.id,
      type: 'message',
      role: 'assistant',
      status,
      content: item.parts,
    };
    yield finishItem(item.outputIndex, finished);
  }

  /** Records a finished output item and announces it. */
  function finishItem(outputIndex: number, item: ResponseOutputItem): ResponseStreamEvent {
    done[outputIndex] = item;
    return {
      type: 'response.output_item.done',
      sequence_number: sequence++,
      output_index: outputIndex,
      item,
    };
  }

  function* closeLastPart(message: OpenMessage): Generator<ResponseStreamEvent> {
    const contentIndex = message.parts.length - 1;
    const part = message.parts[contentIndex];
    if (!part) return;
    const base = { item_id: message.id, output_index: message.outputIndex, content_index: contentIndex };
    if (part.type === 'output_text') {
      yield {
        type: 'response.output_text.done',
        sequence_number: sequence++,
        ...base,
        text: part.text,
        logprobs: [],
      };
    } else {
      yield { type: 'response.refusal.done', sequence_number: sequence++, ...base, refusal: part.refusal };
    }
    yield { type: 'response.content_part.done', sequence_number: sequence++, ...base, part: { ...part } };
  }

  function* openMessage(): Generator<ResponseStreamEvent, OpenMessage> {
    if (current?.kind === 'message') return current;
    yield* closeCurrent('completed');
    const message: OpenMessage = {
      kind: 'message',
      outputIndex: nextOutputIndex++,
      id: options.ids.next('msg'),
      parts: [],
    };
    current = message;
    const item: ResponseOutputMessage = {
      id: message.id,
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    yield {
      type: 'response.output_item.added',
      sequence_number: sequence++,
      output_index: message.outputIndex,
      item,
    };
    return message;
  }

  /** The message's last part if it has this type, else a new part of it (closing the previous one). */
  function* partOfType(
    message: OpenMessage,
    type: MessagePart['type'],
  ): Generator<ResponseStreamEvent, MessagePart> {
    const last = message.parts[message.parts.length - 1];
    if (last?.type === type) return last;
    yield* closeLastPart(message);
    const part: MessagePart =
      type === 'output_text' ? { type, text: '', annotations: [], logprobs: [] } : { type, refusal: '' };
    message.parts.push(part);
    const base = lastPartPosition(message);
    yield { type: 'response.content_part.added', sequence_number: sequence++, ...base, part: { ...part } };
    return part;
  }

  /** Reasoning streams as `reasoning_text` content, or as a summary part when the client asked for one. */
  function* onReasoning(delta: string): Generator<ResponseStreamEvent> {
    if (current?.kind !== 'reasoning') {
      yield* closeCurrent('completed');
      const id = options.ids.next('rs');
      const outputIndex = nextOutputIndex++;
      current = { kind: 'reasoning', outputIndex, id, text: '' };
      const item = asSummary
        ? { id, type: 'reasoning' as const, summary: [], status: 'in_progress' as const }
        : { id, type: 'reasoning' as const, summary: [], content: [], status: 'in_progress' as const };
      yield {
        type: 'response.output_item.added',
        sequence_number: sequence++,
        output_index: outputIndex,
        item,
      };
      if (asSummary) {
        const base = { item_id: id, output_index: outputIndex, summary_index: 0 };
        const part = { type: 'summary_text' as const, text: '' };
        yield { type: 'response.reasoning_summary_part.added', sequence_number: sequence++, ...base, part };
      } else {
        const base = { item_id: id, output_index: outputIndex, content_index: 0 };
        const part = { type: 'reasoning_text' as const, text: '' };
        yield { type: 'response.content_part.added', sequence_number: sequence++, ...base, part };
      }
    }
    current.text += delta;
    const { id: item_id, outputIndex: output_index } = current;
    if (asSummary) {
      const base = { item_id, output_index, summary_index: 0 };
      yield { type: 'response.reasoning_summary_text.delta', sequence_number: sequence++, ...base, delta };
    } else {
      const base = { item_id, output_index, content_index: 0 };
      yield { type: 'response.reasoning_text.delta', sequence_number: sequence++, ...base, delta };
    }
  }

  function* closeReasoningPart(item: OpenReasoning): Generator<ResponseStreamEvent> {
    const { id: item_id, outputIndex: output_index, text } = item;
    if (asSummary) {
      const base = { item_id, output_index, summary_index: 0 };
      yield { type: 'response.reasoning_summary_text.done', sequence_number: sequence++, ...base, text };
      const part = { type: 'summary_text' as const, text };
      yield { type: 'response.reasoning_summary_part.done', sequence_number: sequence++, ...base, part };
      return;
    }
    const base = { item_id, output_index, content_index: 0 };
    yield { type: 'response.reasoning_text.done', sequence_number: sequence++, ...base, text };
    const part = { type: 'reasoning_text' as const, text };
    yield { type: 'response.content_part.done', sequence_number: sequence++, ...base, part };
  }

  function* onText(delta: string): Generator<ResponseStreamEvent> {
    const message = yield* openMessage();
    const part = yield* partOfType(message, 'output_text');
    if (part.type === 'output_text') part.text += delta;
    const base = lastPartPosition(message);
    yield { type: 'response.output_text.delta', sequence_number: sequence++, ...base, delta, logprobs: [] };
  }

  function* onRefusal(delta: string): Generator<ResponseStreamEvent> {
    const message = yield* openMessage();
    const part = yield* partOfType(message, 'refusal');
    if (part.type === 'refusal') part.refusal += delta;
    const base = lastPartPosition(message);
    yield { type: 'response.refusal.delta', sequence_number: sequence++, ...base, delta };
  }

  function* onToolCall(toolCall: ChatCompletionChunk.Choice.Delta.ToolCall): Generator<ResponseStreamEvent> {
    let pending = calls.get(toolCall.index);
    if (!pending) {
      pending = { buffered: '' };
      calls.set(toolCall.index, pending);
    }
    if (toolCall.id) pending.callId ??= toolCall.id;
    if (toolCall.function?.name && !pending.open) pending.name = toolCall.function.name;
    const argumentsDelta = toolCall.function?.arguments ?? '';
    if (!pending.open) {
      pending.buffered += argumentsDelta;
      if (pending.name !== undefined) yield* openCall(pending);
      return;
    }
    if (argumentsDelta) yield* callArgumentsDelta(pending.open, argumentsDelta);
  }

  function* openCall(pending: PendingCall): Generator<ResponseStreamEvent> {
    yield* closeCurrent('completed');
    const call: OpenCall = {
      outputIndex: nextOutputIndex++,
      id: options.ids.next('fc'),
      callId: pending.callId ?? options.ids.next('call'),
      name: pending.name ?? '',
      arguments: '',
    };
    pending.open = call;
    yield {
      type: 'response.output_item.added',
      sequence_number: sequence++,
      output_index: call.outputIndex,
      item: callItem(call, 'in_progress'),
    };
    if (pending.buffered) yield* callArgumentsDelta(call, pending.buffered);
    pending.buffered = '';
  }

  function* callArgumentsDelta(call: OpenCall, delta: string): Generator<ResponseStreamEvent> {
    call.arguments += delta;
    yield {
      type: 'response.function_call_arguments.delta',
      sequence_number: sequence++,
      item_id: call.id,
      output_index: call.outputIndex,
      delta,
    };
  }

  function* closeAll(status: ItemStatus): Generator<ResponseStreamEvent> {
    yield* closeCurrent(status);
    for (const pending of calls.values()) if (!pending.open) yield* openCall(pending);
    const open = [...calls.values()].flatMap((pending) => (pending.open ? [pending.open] : []));
    calls.clear();
    for (const call of open.sort((a, b) => a.outputIndex - b.outputIndex)) {
      const base = { item_id: call.id, output_index: call.outputIndex };
      yield {
        type: 'response.function_call_arguments.done',
        sequence_number: sequence++,
        ...base,
        name: call.name,
        arguments: call.arguments,
      };
      yield finishItem(call.outputIndex, callItem(call, status));
    }
  }

  try {
    for await (const chunk of chunks) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices.find((candidate) => candidate.index === 0);
      if (!choice) continue;
      const delta = choice.delta as DeltaWithReasoning | undefined;
      if (delta?.reasoning_content) yield* onReasoning(delta.reasoning_content);
      if (delta?.content) yield* onText(delta.content);
      if (delta?.refusal) yield* onRefusal(delta.refusal);
      for (const toolCall of delta?.tool_calls ?? []) yield* onToolCall(toolCall);
      if (choice.finish_reason && !closedAtFinish) {
        finishReason = choice.finish_reason;
        closedAtFinish = true;
        yield* closeAll(mapFinishReason(finishReason).status);
      }
    }
  } catch (error: unknown) {
    yield errorEvent(error, sequence++);
    return;
  }

  const outcome = mapFinishReason(finishReason);
  yield* closeAll(outcome.status);
  const output = done.filter((item): item is ResponseOutputItem => item !== undefined);
  const response: Response = {
    ...skeleton,
    status: outcome.status,
    incomplete_details: outcome.incompleteDetails,
    completed_at: outcome.status === 'completed' ? options.now() : null,
    output,
    output_text: outputTextOf(output),
    ...(usage && { usage: convertUsage(usage) }),
  };
  if (outcome.status === 'completed')
    yield { type: 'response.completed', sequence_number: sequence++, response };
  else yield { type: 'response.incomplete', sequence_number: sequence++, response };
}

function callItem(call: OpenCall, status: ResponseFunctionToolCall['status']): ResponseFunctionToolCall {
  return {
    id: call.id,
    type: 'function_call',
    call_id: call.callId,
    name: call.name,
    arguments: call.arguments,
    status,
  };
}

/** @see https://platform.openai.com/docs/api-reference/responses-streaming/error */
function errorEvent(error: unknown, sequenceNumber: number): ResponseStreamEvent {
  if (isGatewayError(error)) {
    return {
      type: 'error',
      sequence_number: sequenceNumber,
      code: error.code ?? error.type,
      message: error.message,
      param: error.param,
    };
  }
  // Anything else is a bug or a transport failure: no internals in the message.
  return {
    type: 'error',
    sequence_number: sequenceNumber,
    code: 'server_error',
    message: 'The upstream stream failed.',
    param: null,
  };
}
