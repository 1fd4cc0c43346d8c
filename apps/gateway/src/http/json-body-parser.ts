import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BlockPool, ChunkedBytes, GatewayError, RequestBytes } from '@app/core';
import { LARGE_BODY_BYTES, parseLargeJson } from './parse-large-json';
import { readBody } from './read-body';

/**
 * The only body parser: `application/json` (any other content type gets Fastify's 415).
 * Plain `JSON.parse`, without Fastify's default prototype-poisoning scan: that scan runs two regular
 * expressions over the whole body (~4 ms per 5 MiB image). It is safe to skip because JSON.parse makes
 * `__proto__` an ordinary own property, and the gateway only reads and spreads request objects — it never
 * merges them into others with Object.assign or a deep merge (validateWith skips `__proto__` explicitly).
 * The body is read as the socket's chunks (read-body.ts) and decoded once: an all-ASCII body as latin1, which
 * is a plain copy and gives the same string, about 4× cheaper than UTF-8 decoding.
 * Bodies from 256 KiB on go through `parseLargeJson` (base64 images lifted out before JSON.parse, and left
 * in the body's bytes: the request's `RequestBytes`, released when its response closes).
 * Such bodies are read into pooled memory (`bodyBlocks`, block-pool.ts in core), reused across requests.
 */
export function registerJsonBodyParser(
  fastify: FastifyInstance,
  bodyLimit: number,
  bodyBlocks: BlockPool,
): void {
  fastify.removeAllContentTypeParsers();
  fastify.addHook('preParsing', (request, reply, payload, done) =>
    attachRequestBytes(bodyBlocks, request, reply, payload, done),
  );
  // No `parseAs`: the parser gets the raw stream, and readBody enforces the body limit itself.
  fastify.addContentTypeParser(
    'application/json',
    (request: FastifyRequest, payload: Readable, done: (error: Error | null, value?: unknown) => void) => {
      const requestBytes = (request as RequestWithBytes)[REQUEST_BYTES];
      readBody(payload, request.headers['content-length'], bodyLimit, requestBytes?.lease).then(
        (chunks) => parseBody(chunks, requestBytes, done),
        (error: Error) => done(error),
      );
    },
  );
}

const REQUEST_BYTES = Symbol('iris.requestBytes');
type RequestWithBytes = FastifyRequest & { [REQUEST_BYTES]?: RequestBytes };

/**
 * A request whose body may be large (declared so, or of unknown length) gets its `RequestBytes` and a lease
 * of pooled memory before the body is read; both are released when the response closes (finished, failed
 * or the client gone), whatever path the request took. The lease's blocks are reused only once upstream
 * writes of them are done too. Small bodies get none: the hook costs them one header check.
 */
function attachRequestBytes(
  bodyBlocks: BlockPool,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
): void {
  const header = request.headers['content-length'];
  const large =
    header === undefined
      ? request.headers['transfer-encoding'] !== undefined
      : !(Number(header) < LARGE_BODY_BYTES);
  if (large) {
    const requestBytes = new RequestBytes(bodyBlocks.lease());
    (request as RequestWithBytes)[REQUEST_BYTES] = requestBytes;
    reply.raw.once('close', () => requestBytes.close());
  }
  done(null, payload);
}

function parseBody(
  chunks: Buffer[],
  requestBytes: RequestBytes | undefined,
  done: (error: Error | null, value?: unknown) => void,
): void {
  const body = new ChunkedBytes(chunks, requestBytes?.lease);
  if (body.length >= LARGE_BODY_BYTES) {
    parseLargeJson(body, requestBytes).then(
      (value) => done(null, value),
      (error: unknown) => done(parseError(error)),
    );
    return;
  }
  try {
    done(null, JSON.parse(body.text()));
  } catch (error) {
    done(parseError(error));
  }
}

/** A JSON syntax error is the client's (400); a gateway error (the body's lease ended: 499) stays as it is. */
function parseError(error: unknown): GatewayError {
  return error instanceof GatewayError ? error : invalidJson();
}

function invalidJson(): GatewayError {
  return GatewayError.invalidRequest(
    'We could not parse the JSON body of your request. Send valid JSON with Content-Type: application/json.',
    null,
    'invalid_json',
  );
}
