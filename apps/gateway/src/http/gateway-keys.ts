import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '@app/core';
import { sendError } from './send-error';

const OPEN_ROUTES = new Set(['/health', '/ready']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `Authorization: Bearer <key>` against the configured gateway keys, compared in constant time (over
 * digests, so key length does not leak either). Runs before the body is read: an unauthenticated client
 * cannot make the gateway parse 64 MiB.
 */
export function createGatewayKeyHook(keys: readonly string[]) {
  const digests = keys.map(digest);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (digests.length === 0 || OPEN_ROUTES.has(request.url)) return done();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match) {
      const presented = digest(match[1].trim());
      let valid = false;
      for (const key of digests) valid = timingSafeEqual(presented, key) || valid;
      if (valid) return done();
    }
    sendError(
      request,
      reply,
      new GatewayError(
        401,
        match
          ? 'Incorrect API key provided. Use a key configured in GATEWAY_API_KEYS.'
          : "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
        { type: 'invalid_request_error', code: 'invalid_api_key' },
      ),
    );
  };
}
