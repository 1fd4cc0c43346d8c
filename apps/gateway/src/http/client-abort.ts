import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away before the response is finished; adapters pass it
 * to their SDK call, which closes the upstream request.
 */
export function abortOnClientClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
