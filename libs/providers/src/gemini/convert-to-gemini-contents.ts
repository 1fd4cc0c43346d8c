import type { Content, Part } from '@google/genai';
import {
  base64JsonText,
  GatewayError,
  imageOfPart,
  type ChatCompletionContentPartImage,
  type ChatCompletionMessageParam,
} from '@app/core';
import type { GeminiModelOptions } from './gemini-options';
import { thoughtSignatureOfToolCallId } from './tool-call-id';

/** Google's documented placeholder for function calls that have no signature (history from elsewhere). */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

export type ImageDetail = 'auto' | 'low' | 'high';

export interface ConvertedContents {
  systemInstruction?: Content;
  contents: Content[];
  /** The `detail` of every image, in order (media resolution is chosen from them). */
  imageDetails: ImageDetail[];
  /** Request fields dropped by documented policy. */
  droppedParameters: string[];
}

interface KnownCall {
  name: string;
  /** Position in its assistant turn: parallel results go back in call order. */
  order: number;
}

const IMAGE_URL_MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

function textOf(content: unknown, param: string): string[] {
  if (typeof content === 'string') return [content];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content))
    throw GatewayError.invalidRequest('Message content must be a string or an array of parts.', param);
  return content.map((part: { type?: string; text?: string; refusal?: string }, index) => {
    if (part.type === 'text' && typeof part.text === 'string') return part.text;
    if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
    throw GatewayError.invalidRequest(
      `Only text parts are allowed here, got '${String(part.type)}'.`,
      `${param}[${index}]`,
    );
  });
}

/** OpenAI image part → Gemini part. @see https://ai.google.dev/gemini-api/docs/image-understanding */
function imagePart(part: ChatCompletionContentPartImage, param: string, options: GeminiModelOptions): Part {
  const image = imageOfPart(part, param);
  if (image.source === 'base64') {
    if (image.mediaType === 'image/gif') {
      throw GatewayError.invalidRequest(
        'Gemini does not accept GIF images; send PNG, JPEG or WEBP.',
        param,
        'invalid_image_format',
      );
    }
    const mimeType = (image.mediaType as string) === 'image/jpg' ? 'image/jpeg' : image.mediaType;
    return { inlineData: { mimeType, data: base64JsonText(image.data) } };
  }
  if (!options.acceptsImageUrls) {
    throw GatewayError.invalidRequest(
      'This Gemini model does not fetch image URLs; the image must be inlined.',
      param,
      'invalid_image_url',
    );
  }
  const extension = /\.([a-z]+)(?:[?#]|$)/i.exec(new URL(image.url).pathname)?.[1]?.toLowerCase();
  const mimeType = extension ? IMAGE_URL_MIME_TYPES[extension] : undefined;
  return { fileData: mimeType ? { fileUri: image.url, mimeType } : { fileUri: image.url } };
}

/** Tool output → `functionResponse.response` (a JSON object): objects as they are, anything else wrapped. */
export function toolResponseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return { content: parsed };
  } catch {
    return { content: text };
  }
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw GatewayError.invalidRequest('Tool call arguments must be valid JSON.', param);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw GatewayError.invalidRequest('Tool call arguments must be a JSON object.', param);
  }
  return parsed as Record<string, unknown>;
}

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`. System and developer messages (all, in order)
 * become the system instruction; user → `user`, assistant → `model`, tool results → `functionResponse` parts
 * of a `user` turn (named from the matching call, parallel results in call order); consecutive turns of the
 * same role are merged, as Gemini wants strictly alternating turns.
 * @see https://ai.google.dev/api/generate-content#request-body
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
export function convertToGeminiContents(
  messages: readonly ChatCompletionMessageParam[],
  options: GeminiModelOptions,
): ConvertedContents {
  const systemParts: Part[] = [];
  const contents: Content[] = [];
  const imageDetails: ImageDetail[] = [];
  const dropped = new Set<string>();
  const calls = new Map<string, KnownCall>();
  let pendingResponses: Array<{ order: number; part: Part }> = [];

  const push = (role: 'user' | 'model', parts: Part[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts = [...(last.parts ?? []), ...parts];
    else contents.push({ role, parts });
  };
  const flushResponses = (): void => {
    if (pendingResponses.length === 0) return;
    push(
      'user',
      pendingResponses.sort((a, b) => a.order - b.order).map((entry) => entry.part),
    );
    pendingResponses = [];
  };

  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if ('name' in message && message.name !== undefined && message.role !== 'function')
      dropped.add('messages[].name');
    if (message.role !== 'tool' && message.role !== 'function') flushResponses();
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const text of textOf(message.content, `${param}.content`)) systemParts.push({ text });
        return;
      case 'user': {
        if (typeof message.content === 'string') return push('user', [{ text: message.content }]);
        const parts = message.content.map((part, partIndex): Part => {
          const partParam = `${param}.content[${partIndex}]`;
          if (part.type === 'text') return { text: part.text };
          if (part.type === 'image_url') {
            imageDetails.push(part.image_url?.detail ?? 'auto');
            return imagePart(part, `${partParam}.image_url.url`, options);
          }
          throw GatewayError.invalidRequest(
            `Content parts of type '${part.type}' are not supported by Gemini backends.`,
            `${partParam}.type`,
          );
        });
        return push('user', parts);
      }
      case 'assistant': {
        const parts: Part[] = textOf(message.content, `${param}.content`)
          .filter((text) => text.length > 0)
          .map((text) => ({ text }));
        const toolCalls = message.tool_calls ?? [];
        let firstCall: Part | undefined;
        toolCalls.forEach((call, callIndex) => {
          const callParam = `${param}.tool_calls[${callIndex}]`;
          if (call.type !== 'function') {
            throw GatewayError.invalidRequest(
              'Only function tool calls are supported by Gemini backends.',
              `${callParam}.type`,
            );
          }
          const part: Part = {
            functionCall: {
              name: call.function.name,
              args: parseArguments(call.function.arguments, `${callParam}.function.arguments`),
            },
          };
          const signature = options.thoughtSignatures ? thoughtSignatureOfToolCallId(call.id) : undefined;
          if (signature) part.thoughtSignature = signature;
          firstCall ??= part;
          calls.set(call.id, { name: call.function.name, order: callIndex });
          parts.push(part);
        });
        if (message.function_call) {
          parts.push({
            functionCall: {
              name: message.function_call.name,
              args: parseArguments(message.function_call.arguments, `${param}.function_call.arguments`),
            },
          });
        }
        if (firstCall && options.thoughtSignatures && !parts.some((part) => part.thoughtSignature)) {
          firstCall.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
        }
        return push('model', parts);
      }
      case 'tool': {
        const call = calls.get(message.tool_call_id);
        if (!call) {
          throw GatewayError.invalidRequest(
            `No earlier assistant tool call has the id '${message.tool_call_id}'.`,
            `${param}.tool_call_id`,
          );
        }
        const text = textOf(message.content, `${param}.content`).join('');
        pendingResponses.push({
          order: call.order,
          part: { functionResponse: { name: call.name, response: toolResponseObject(text) } },
        });
        return;
      }
      case 'function':
        pendingResponses.push({
          order: pendingResponses.length,
          part: {
            functionResponse: { name: message.name, response: toolResponseObject(message.content ?? '') },
          },
        });
        return;
      default: {
        const unknownRole: never = message;
        throw GatewayError.invalidRequest(
          `Unknown message role '${String((unknownRole as { role?: unknown }).role)}'.`,
          `${param}.role`,
        );
      }
    }
  });
  flushResponses();
  if (contents.length === 0) {
    throw GatewayError.invalidRequest(
      'Gemini needs at least one user or assistant message besides system messages.',
      'messages',
    );
  }
  return {
    ...(systemParts.length > 0 ? { systemInstruction: { parts: systemParts } } : {}),
    contents,
    imageDetails,
    droppedParameters: [...dropped],
  };
}
