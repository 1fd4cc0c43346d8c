import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';
import { PROVIDERS } from '@app/providers';
import { BLOCK_BYTES, BlockPool } from '@app/core';
import { AppModule } from './app.module';
import { loadConfig, type Environment } from './config/load-config';
import type { GatewayConfig } from './config/gateway-config';
import { toGatewayError } from './http/error-envelope';
import { createGatewayKeyHook } from './http/gateway-keys';
import { logFinishedRequest, useAccessLogger } from './http/request-log';
import { sendError } from './http/send-error';
import { PinoNestLogger } from './http/pino-nest-logger';
import { registerJsonBodyParser } from './http/json-body-parser';
import { BodyMemoryBudget, createBodyBudgetHook } from './http/body-memory-budget';

export interface GatewayOptions {
  /** The only source of configuration besides `configYaml` (tests pass their own, `main` passes process.env). */
  env: Environment;
  /** YAML text; otherwise the file named by `IRIS_CONFIG`, if any. */
  configYaml?: string;
}

export interface Gateway {
  app: NestFastifyApplication;
  config: GatewayConfig;
  logger: pino.Logger;
  /** Writes out buffered log lines (the app does it when it closes; main.ts also at process exit). */
  flushLogs(): void;
}

const STARTED_AT = Symbol('iris.startedAt');
type TimedRequest = FastifyRequest & { [STARTED_AT]?: bigint };

/** Builds the whole gateway (not yet listening). */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const config = loadConfig(options.env, PROVIDERS, options.configYaml);
  // Lines are gathered and written to stdout 4 KiB at a time, synchronously, and at least every 250 ms: one
  // write system call per ~15 requests instead of one each (measured: about a tenth of a small request's
  // CPU on this machine). sonic-boom's asynchronous mode was slower here (its writes go through libuv's
  // thread pool). Flushed when the app closes and at process exit (main.ts).
  const destination = pino.destination({ dest: 1, sync: true, minLength: 4096 });
  const flushTimer = setInterval(() => destination.flush(), 250).unref();
  const flushLogs = (): void => {
    try {
      destination.flushSync();
    } catch {
      // stdout is already gone (closed pipe at exit): there is nowhere left to write.
    }
  };
  const lineOptions = { level: config.logLevel, base: { service: 'iris' } };
  const logger = pino(
    {
      ...lineOptions,
      // Belt and braces: keys never reach a log line even if an object carrying one is logged.
      redact: [
        'req.headers.authorization',
        '*.apiKey',
        '*.headers["x-api-key"]',
        '*.headers["x-goog-api-key"]',
      ],
    },
    destination,
  );
  // The per-request line is built field by field in request-log.ts (never a body, header or key), so it
  // skips redaction, which would otherwise be the larger part of logging a request.
  const accessLogger = pino(lineOptions, destination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    loggerInstance: logger,
    // One line per request is written by request-log.ts instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Nest installs an error handler; ours replaces it on purpose (body-parsing errors need the envelope).
    allowErrorHandlerOverride: true,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });
  const budget =
    config.inFlightBodyBytes > 0
      ? new BodyMemoryBudget({ budgetBytes: config.inFlightBodyBytes, queueTimeoutMs: config.queueTimeoutMs })
      : undefined;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, PROVIDERS, budget),
    adapter,
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Pooled memory for large bodies: as many idle blocks as the in-flight budget holds (64 MiB unbounded).
  const idleBodyBytes = config.inFlightBodyBytes > 0 ? config.inFlightBodyBytes : 64 * 1024 * 1024;
  registerJsonBodyParser(
    fastify,
    config.bodyLimitBytes,
    new BlockPool(Math.ceil(idleBodyBytes / BLOCK_BYTES)),
  );
  useAccessLogger(fastify, accessLogger);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    (request as TimedRequest)[STARTED_AT] = process.hrtime.bigint();
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onRequest', createGatewayKeyHook(config.gatewayKeys));
  if (budget) {
    fastify.addHook(
      'preParsing',
      createBodyBudgetHook({
        budget,
        bodyLimitBytes: config.bodyLimitBytes,
        bodyReadTimeoutMs: config.bodyReadTimeoutMs,
      }),
    );
  }
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    logFinishedRequest(
      request,
      reply.statusCode,
      (request as TimedRequest)[STARTED_AT] ?? process.hrtime.bigint(),
    );
    done();
  });
  // Body-parsing failures (bad JSON, too large, wrong content type) happen before Nest's filters.
  fastify.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    sendError(request, reply, toGatewayError(error), error);
  });
  // While draining, a connection whose last response just ended is idle but would stay open until the
  // client's keep-alive timeout; close such connections as they appear so shutdown ends promptly.
  let drainTimer: NodeJS.Timeout | undefined;
  fastify.addHook('preClose', (done: () => void) => {
    drainTimer = setInterval(() => fastify.server.closeIdleConnections(), 50).unref();
    done();
  });
  fastify.addHook('onClose', (_instance: unknown, done: () => void) => {
    clearInterval(drainTimer);
    clearInterval(flushTimer);
    flushLogs();
    done();
  });
  await app.init();
  if (config.gatewayKeys.length === 0) {
    logger.warn('GATEWAY_API_KEYS is not set: the gateway is open to anyone who can reach it.');
  }
  return { app, config, logger, flushLogs };
}
