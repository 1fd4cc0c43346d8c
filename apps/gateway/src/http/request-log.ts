import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CompletionUsage, GatewayError } from '@app/core';

/** What one request's log line says besides route, status and latency. Never bodies, images or keys. */
export interface RequestLogFields {
  model?: string;
  backend?: string;
  upstreamModel?: string;
  stream?: boolean;
  usage?: CompletionUsage | null;
  error?: GatewayError;
  /** How long the request waited for room in the in-flight body budget (only when it had to wait). */
  queuedMs?: number;
  /** Set once the line is written (streams log themselves; the onResponse hook skips them). */
  logged?: boolean;
}

const FIELDS = Symbol('iris.requestLog');
type WithFields = FastifyRequest & { [FIELDS]?: RequestLogFields };

const ACCESS_LOGGER = Symbol('iris.accessLogger');
type WithAccessLogger = FastifyInstance & { [ACCESS_LOGGER]?: Logger };

/** The logger that writes the per-request lines (without redaction: the line never holds a body or key). */
export function useAccessLogger(fastify: FastifyInstance, logger: Logger): void {
  (fastify as WithAccessLogger)[ACCESS_LOGGER] = logger;
}

export function requestLog(request: FastifyRequest): RequestLogFields {
  const holder = request as WithFields;
  return (holder[FIELDS] ??= {});
}

/** One JSON line per finished request. */
export function logFinishedRequest(request: FastifyRequest, status: number, startedAt: bigint): void {
  const fields = requestLog(request);
  if (fields.logged) return;
  fields.logged = true;
  const line: Record<string, unknown> = {
    requestId: request.id,
    method: request.method,
    route: request.routeOptions?.url ?? request.url,
    status,
    latencyMs: elapsedMs(startedAt),
  };
  if (fields.model) line.model = fields.model;
  if (fields.backend) line.backend = fields.backend;
  if (fields.upstreamModel) line.upstreamModel = fields.upstreamModel;
  if (fields.stream) line.stream = true;
  if (fields.usage) {
    line.promptTokens = fields.usage.prompt_tokens;
    line.completionTokens = fields.usage.completion_tokens;
  }
  if (fields.queuedMs !== undefined) line.queuedMs = fields.queuedMs;
  if (fields.error)
    line.error = { type: fields.error.type, code: fields.error.code, message: fields.error.message };
  const logger = (request.server as WithAccessLogger)[ACCESS_LOGGER] ?? request.log;
  if (status >= 500) logger.warn(line, 'request failed');
  else logger.info(line, 'request finished');
}

/** Milliseconds since an `hrtime.bigint()` reading, to two decimals (as log lines show them). */
export function elapsedMs(since: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100;
}
