import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { startFakeServer, writeJson, type FakeServer, type RecordedRequest } from '../support/fake-server';

/**
 * A fake Gemini API (v1beta generateContent / streamGenerateContent?alt=sse) on 127.0.0.1 that validates
 * requests as strictly as the real one: the request JSON is checked field by field against the vendor's
 * .proto files (camelCase JSON names, unknown fields rejected, enums, bytes as base64), plus the rules the
 * API enforces beyond the IDL (roles, inlineData MIME types matching the bytes, functionResponse pairing).
 * Errors are answered with Google's exact body shape.
 */

const PROTO_DIRECTORY = '/work/shared/vendor-specs/gemini';

interface FieldSpec {
  type: string;
  repeated: boolean;
  /** map<string, X>: the value type. */
  mapValue?: string;
  /** Scope the type name is resolved in (the enclosing message). */
  scope: string;
}

interface ProtoIndex {
  messages: Map<string, Map<string, FieldSpec>>;
  enums: Map<string, Set<string>>;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** A small reader for the proto3 subset the vendor files use (messages, nested messages/enums, oneofs, maps). */
export function readProtoDirectory(directory = PROTO_DIRECTORY): ProtoIndex {
  const index: ProtoIndex = { messages: new Map(), enums: new Map() };
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.proto'))) {
    const text = readFileSync(join(directory, file), 'utf8').replace(/\/\/.*$/gm, '');
    const stack: Array<{ kind: 'message' | 'enum' | 'other'; name: string }> = [];
    let statement = '';
    for (const character of text) {
      if (character === '{') {
        const header = statement.trim();
        statement = '';
        const declaration = /^(message|enum)\s+(\w+)$/.exec(header);
        if (declaration) {
          const scope = stack.filter((entry) => entry.kind === 'message').map((entry) => entry.name);
          const name = [...scope, declaration[2]].join('.');
          stack.push({ kind: declaration[1] as 'message' | 'enum', name });
          if (declaration[1] === 'message') index.messages.set(name, new Map());
          else index.enums.set(name, new Set());
        } else stack.push({ kind: 'other', name: header });
      } else if (character === '}') {
        statement = '';
        stack.pop();
      } else if (character === ';') {
        const line = statement.replace(/\s+/g, ' ').trim();
        statement = '';
        const current = stack[stack.length - 1];
        const container = [...stack]
          .reverse()
          .find((entry) => entry.kind === 'message' || entry.kind === 'enum');
        if (!container) continue;
        if (container.kind === 'enum' && current === container) {
          const value = /^(\w+) = -?\d+/.exec(line);
          if (value) index.enums.get(container.name)!.add(value[1]);
          continue;
        }
        if (container.kind !== 'message') continue;
        const field = /^(optional |repeated )?(map<\s*\w+\s*,\s*([\w.]+)\s*>|[\w.]+) (\w+) = \d+(.*)$/.exec(
          line,
        );
        if (!field || field[2] === 'option' || field[2] === 'reserved') continue;
        const jsonName = /json_name = "(\w+)"/.exec(field[5])?.[1] ?? camelCase(field[4]);
        index.messages.get(container.name)!.set(jsonName, {
          type: field[3] ? 'map' : field[2],
          repeated: field[1]?.trim() === 'repeated',
          mapValue: field[3],
          scope: container.name,
        });
      } else statement += character;
    }
  }
  return index;
}

export class GoogleRequestError extends Error {
  constructor(
    readonly status: number,
    readonly googleStatus: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

function invalid(message: string, field?: string): GoogleRequestError {
  const details = field
    ? [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field, description: message }],
        },
      ]
    : [];
  return new GoogleRequestError(400, 'INVALID_ARGUMENT', message, details);
}

/** proto3 JSON `bytes`: standard or URL-safe base64, padding optional; nothing else (no `data:` prefix). */
export function isProtoBase64(value: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(value) && value.replace(/=+$/, '').length % 4 !== 1;
}

const SCALARS: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  bool: (value) => typeof value === 'boolean',
  int32: (value) => Number.isInteger(value),
  int64: (value) => Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)),
  float: (value) => typeof value === 'number',
  double: (value) => typeof value === 'number',
  bytes: (value) => typeof value === 'string' && isProtoBase64(value),
  'google.protobuf.Struct': (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'google.protobuf.Value': () => true,
  'google.protobuf.Duration': (value) => typeof value === 'string' && /^-?\d+(\.\d+)?s$/.test(value),
};

export class ProtoValidator {
  constructor(private readonly index: ProtoIndex) {}

  private resolve(type: string, scope: string): { kind: 'message' | 'enum'; name: string } | undefined {
    const parts = scope.split('.');
    for (let depth = parts.length; depth >= 0; depth--) {
      const candidate = [...parts.slice(0, depth), type].join('.');
      if (this.index.messages.has(candidate)) return { kind: 'message', name: candidate };
      if (this.index.enums.has(candidate)) return { kind: 'enum', name: candidate };
    }
    return undefined;
  }

  validateMessage(value: unknown, messageName: string, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid(
        `Invalid value at '${path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.${messageName}), expected an object`,
        path,
      );
    }
    const fields = this.index.messages.get(messageName)!;
    for (const [key, fieldValue] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const field = fields.get(key);
      if (!field) {
        const message = `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`;
        throw invalid(message, path);
      }
      if (fieldValue === null) continue;
      if (field.repeated) {
        if (!Array.isArray(fieldValue)) throw invalid(`Invalid value at '${at}', expected a list`, at);
        fieldValue.forEach((item, index) =>
          this.validateValue(item, field.type, field.scope, `${at}[${index}]`),
        );
      } else if (field.type === 'map') {
        if (typeof fieldValue !== 'object' || Array.isArray(fieldValue))
          throw invalid(`Invalid value at '${at}', expected a map`, at);
        for (const [mapKey, mapValue] of Object.entries(fieldValue))
          this.validateValue(mapValue, field.mapValue!, field.scope, `${at}[${JSON.stringify(mapKey)}]`);
      } else this.validateValue(fieldValue, field.type, field.scope, at);
    }
  }

  private validateValue(value: unknown, type: string, scope: string, path: string): void {
    const scalar = SCALARS[type];
    if (scalar) {
      if (!scalar(value))
        throw invalid(
          `Invalid value at '${path}' (TYPE_${type.toUpperCase()}), ${JSON.stringify(value)?.slice(0, 80)}`,
          path,
        );
      return;
    }
    if (type === 'google.type.LatLng') return;
    const resolved = this.resolve(type, scope);
    if (!resolved) throw new Error(`fake: proto type ${type} not found from ${scope}`);
    if (resolved.kind === 'enum') {
      if (
        !(typeof value === 'string' && this.index.enums.get(resolved.name)!.has(value)) &&
        !Number.isInteger(value)
      ) {
        throw invalid(
          `Invalid value at '${path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.${resolved.name}), "${String(value)}"`,
          path,
        );
      }
      return;
    }
    this.validateMessage(value, resolved.name, path);
  }
}

const IMAGE_MIME_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);

function mimeTypeOfBytes(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp') return 'image/heic';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

type Json = Record<string, unknown>;
interface PartJson {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
  fileData?: { fileUri?: string; mimeType?: string };
  functionCall?: { name?: string; args?: Json };
  functionResponse?: { name?: string; response?: Json };
  [key: string]: unknown;
}
interface ContentJson {
  role?: string;
  parts?: PartJson[];
}

const PART_DATA_FIELDS = [
  'text',
  'inlineData',
  'functionCall',
  'functionResponse',
  'fileData',
  'executableCode',
  'codeExecutionResult',
];

/** The rules the API enforces beyond the IDL. @see https://ai.google.dev/api/generate-content */
export function validateSemantics(body: Json): void {
  const contents = body.contents as ContentJson[] | undefined;
  if (!Array.isArray(contents) || contents.length === 0)
    throw invalid('* GenerateContentRequest.contents: contents is not specified\n', 'contents');
  const declared = new Set<string>();
  for (const tool of (body.tools as Array<{
    functionDeclarations?: Array<{ name?: string; parameters?: Json }>;
  }>) ?? []) {
    for (const [index, declaration] of (tool.functionDeclarations ?? []).entries()) {
      const name = declaration.name ?? '';
      if (!/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(name))
        throw invalid(
          `* GenerateContentRequest.tools[0].function_declarations[${index}].name: Invalid function name.`,
          'tools',
        );
      declared.add(name);
      if (declaration.parameters)
        checkObjectSchemas(declaration.parameters, `tools[0].function_declarations[${index}].parameters`);
    }
  }
  const calling = (
    body.toolConfig as
      { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined
  )?.functionCallingConfig;
  if (calling?.allowedFunctionNames && calling.mode !== 'ANY') {
    throw invalid(
      '* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: allowed_function_names can only be set when mode is ANY.\n',
      'toolConfig',
    );
  }
  for (const name of calling?.allowedFunctionNames ?? []) {
    if (!declared.has(name))
      throw invalid(
        `* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: ${name} is not a declared function.\n`,
        'toolConfig',
      );
  }
  const system = body.systemInstruction as ContentJson | undefined;
  if (system)
    for (const part of system.parts ?? [])
      if (typeof part.text !== 'string')
        throw invalid('systemInstruction supports text parts only', 'systemInstruction');

  contents.forEach((content, contentIndex) => {
    const at = `contents[${contentIndex}]`;
    if (content.role !== 'user' && content.role !== 'model') {
      throw invalid(`Please use a valid role: user, model.`, `${at}.role`);
    }
    if (!content.parts || content.parts.length === 0) {
      throw invalid(
        `* GenerateContentRequest.contents[${contentIndex}].parts: contents.parts must not be empty.\n`,
        `${at}.parts`,
      );
    }
    const responses: string[] = [];
    content.parts.forEach((part, partIndex) => {
      const partAt = `${at}.parts[${partIndex}]`;
      const data = PART_DATA_FIELDS.filter((field) => part[field] !== undefined);
      if (data.length !== 1)
        throw invalid(
          `* GenerateContentRequest.${partAt}.data: required oneof field 'data' must have one initialized field\n`,
          partAt,
        );
      if (part.inlineData) {
        const { mimeType = '', data: base64 = '' } = part.inlineData;
        if (!IMAGE_MIME_TYPES.has(mimeType))
          throw invalid(`Unsupported MIME type: ${mimeType}`, `${partAt}.inlineData.mimeType`);
        const bytes = Buffer.from(base64, 'base64');
        const actual = mimeTypeOfBytes(bytes);
        if (actual !== mimeType) throw invalid('Provided image is not valid.', `${partAt}.inlineData`);
      }
      if (part.functionCall && content.role !== 'model')
        throw invalid('Function calls can only come from the model.', partAt);
      if (part.functionResponse) {
        if (content.role !== 'user') throw invalid('Function responses must be in a user turn.', partAt);
        responses.push(part.functionResponse.name ?? '');
      }
      if (part.fileData && !/^https?:\/\//.test(part.fileData.fileUri ?? ''))
        throw invalid('Invalid file URI.', `${partAt}.fileData`);
    });
    if (responses.length > 0) {
      const previous = contents[contentIndex - 1];
      const calls = (previous?.role === 'model' ? (previous.parts ?? []) : [])
        .filter((part) => part.functionCall)
        .map((part) => part.functionCall!.name ?? '');
      if (calls.length !== responses.length) {
        throw invalid(
          'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
          at,
        );
      }
      for (const name of responses) {
        if (!calls.includes(name))
          throw invalid(
            `Function response "${name}" does not answer any function call of the previous model turn.`,
            at,
          );
      }
    }
  });
}

function checkObjectSchemas(schema: Json, path: string): void {
  if (
    schema.type === 'OBJECT' &&
    !schema.anyOf &&
    (!schema.properties || Object.keys(schema.properties as Json).length === 0)
  ) {
    throw invalid(`* GenerateContentRequest.${path}.properties: should be non-empty for OBJECT type\n`, path);
  }
  for (const [name, property] of Object.entries((schema.properties as Record<string, Json>) ?? {}))
    checkObjectSchemas(property, `${path}.properties[${name}]`);
  if (schema.items) checkObjectSchemas(schema.items as Json, `${path}.items`);
  for (const [index, alternative] of ((schema.anyOf as Json[]) ?? []).entries())
    checkObjectSchemas(alternative, `${path}.any_of[${index}]`);
}

/** Google's error envelope, as the API sends it. */
export function googleErrorBody(
  code: number,
  status: string,
  message: string,
  details: unknown[] = [],
): Json {
  return { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } };
}

export const GOOGLE_ERRORS = {
  invalidArgument: (message = 'Request contains an invalid argument.') => ({
    status: 400,
    body: googleErrorBody(400, 'INVALID_ARGUMENT', message),
  }),
  failedPrecondition: () => ({
    status: 400,
    body: googleErrorBody(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
  }),
  apiKeyInvalid: () => ({
    status: 400,
    body: googleErrorBody(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ]),
  }),
  unauthenticated: () => ({
    status: 401,
    body: googleErrorBody(
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    ),
  }),
  permissionDenied: () => ({
    status: 403,
    body: googleErrorBody(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
  }),
  notFound: (model: string) => ({
    status: 404,
    body: googleErrorBody(
      404,
      'NOT_FOUND',
      `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    ),
  }),
  resourceExhausted: (retryDelay = '23s') => ({
    status: 429,
    body: googleErrorBody(
      429,
      'RESOURCE_EXHAUSTED',
      'You exceeded your current quota, please check your plan and billing details.',
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            },
          ],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [
            {
              description: 'Learn more about Gemini API quotas',
              url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
      ],
    ),
  }),
  internal: () => ({
    status: 500,
    body: googleErrorBody(
      500,
      'INTERNAL',
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    ),
  }),
  unavailable: () => ({
    status: 503,
    body: googleErrorBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
  }),
  deadlineExceeded: () => ({
    status: 504,
    body: googleErrorBody(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
  }),
};

/** What the fake answers with for a valid request. */
export type GeminiReply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: 'stream';
      events: unknown[];
      delayMs?: number;
      /** keep the connection open after the events */ hang?: boolean;
    };

export interface GeminiCall {
  model: string;
  stream: boolean;
  body: Json;
  request: RecordedRequest;
}

export interface GeminiUpstreamOptions {
  apiKey?: string;
  /** Off for the benchmark: every request is answered without checks. */
  validate?: boolean;
}

export interface GeminiUpstream {
  url: string;
  server: FakeServer;
  /** Valid requests in order. */
  calls: GeminiCall[];
  /** Requests the fake rejected, with the reason (a test can assert there were none). */
  rejected: Array<{ url: string; message: string }>;
  reply(next: GeminiReply | ((call: GeminiCall) => GeminiReply)): void;
  close(): Promise<void>;
}

let protoValidator: ProtoValidator | undefined;

function writeGoogleError(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  writeJson(response, status, body, {
    'content-type': 'application/json; charset=UTF-8',
    vary: 'Origin, X-Origin, Referer',
    ...headers,
  });
}

/** Google's SSE framing: `data: {json}\r\n\r\n`. */
async function writeGeminiSse(
  response: ServerResponse,
  events: unknown[],
  delayMs = 0,
  hang = false,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'content-disposition': 'attachment',
    vary: 'Origin, X-Origin, Referer',
  });
  for (const event of events) {
    if (response.destroyed) return;
    response.write(`data: ${JSON.stringify(event)}\r\n\r\n`);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  if (!hang) response.end();
}

export async function startGeminiUpstream(options: GeminiUpstreamOptions = {}): Promise<GeminiUpstream> {
  const apiKey = options.apiKey ?? 'test-gemini-key';
  const validate = options.validate ?? true;
  protoValidator ??= new ProtoValidator(readProtoDirectory());
  const calls: GeminiCall[] = [];
  const rejected: Array<{ url: string; message: string }> = [];
  let next: GeminiReply | ((call: GeminiCall) => GeminiReply) = {
    kind: 'json',
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
    },
  };

  const server = await startFakeServer(async (request, response) => {
    const url = new URL(request.url, 'http://fake');
    const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
    const reject = (status: number, body: unknown, message: string) => {
      rejected.push({ url: request.url, message });
      writeGoogleError(response, status, body);
    };
    // models.list, as Google answers it (one page), for upstream model discovery.
    if (request.method === 'GET' && url.pathname === '/v1beta/models') {
      if (request.headers['x-goog-api-key'] !== apiKey)
        return reject(403, GOOGLE_ERRORS.permissionDenied().body, 'no key');
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          models: [
            {
              name: 'models/gemini-2.5-flash',
              displayName: 'Gemini 2.5 Flash',
              supportedGenerationMethods: ['generateContent', 'countTokens'],
            },
            {
              name: 'models/text-embedding-004',
              displayName: 'Text Embedding 004',
              supportedGenerationMethods: ['embedContent'],
            },
          ],
        }),
      );
      return;
    }
    if (validate) {
      if (url.searchParams.has('key'))
        return reject(
          400,
          googleErrorBody(400, 'INVALID_ARGUMENT', 'fake: the API key must not be sent in the URL'),
          'key in query',
        );
      if (request.method !== 'POST' || !route)
        return reject(
          404,
          googleErrorBody(404, 'NOT_FOUND', `fake: unknown route ${request.method} ${url.pathname}`),
          'route',
        );
      const key = request.headers['x-goog-api-key'];
      if (key === undefined) return reject(403, GOOGLE_ERRORS.permissionDenied().body, 'no key');
      if (key !== apiKey) return reject(400, GOOGLE_ERRORS.apiKeyInvalid().body, 'wrong key');
      const stream = route[2] === 'streamGenerateContent';
      if (stream && url.searchParams.get('alt') !== 'sse')
        return reject(
          400,
          googleErrorBody(400, 'INVALID_ARGUMENT', 'fake: streaming without alt=sse'),
          'no alt=sse',
        );
      if (
        !String(request.headers['content-type'] ?? '').startsWith('application/json') ||
        request.json === undefined
      ) {
        return reject(
          400,
          googleErrorBody(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'),
          'not json',
        );
      }
      try {
        protoValidator!.validateMessage(request.json, 'GenerateContentRequest', '');
        validateSemantics(request.json as Json);
      } catch (error) {
        if (error instanceof GoogleRequestError)
          return reject(
            error.status,
            googleErrorBody(error.status, error.googleStatus, error.message, error.details),
            error.message,
          );
        throw error;
      }
    }
    const call: GeminiCall = {
      model: route?.[1] ?? '',
      stream: route?.[2] === 'streamGenerateContent',
      body: (request.json ?? {}) as Json,
      request,
    };
    calls.push(call);
    const reply = typeof next === 'function' ? next(call) : next;
    // A successful answer to a streamed call comes as SSE, as Google sends it (one event for a short answer).
    if (reply.kind === 'json' && call.stream && (reply.status ?? 200) === 200)
      return writeGeminiSse(response, [reply.body]);
    if (reply.kind === 'json')
      return writeGoogleError(response, reply.status ?? 200, reply.body, reply.headers);
    await writeGeminiSse(response, reply.events, reply.delayMs, reply.hang);
  });

  return {
    url: server.url,
    server,
    calls,
    rejected,
    reply: (value) => {
      next = value;
    },
    close: () => server.close(),
  };
}
