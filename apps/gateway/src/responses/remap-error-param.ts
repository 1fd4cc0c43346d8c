import { GatewayError, responsesParamOf, type MessageOrigin } from '@app/core';

/**
 * A chat-path error (`messages[2].content[1].image_url.url`) re-addressed to the Responses request the client
 * sent (`input[1].content[1].image_url`), in `param` and in the message.
 */
export function remapErrorParam(error: unknown, origins: readonly MessageOrigin[]): unknown {
  if (!(error instanceof GatewayError) || error.param === null) return error;
  const param = responsesParamOf(error.param, origins);
  if (param === error.param) return error;
  return new GatewayError(error.status, error.message.split(error.param).join(param ?? ''), {
    type: error.type,
    param,
    code: error.code,
    retryAfter: error.retryAfter,
    provider: error.provider,
  });
}

/** The same for errors thrown while chunks are read. */
export async function* remapStreamErrors<T>(
  source: AsyncIterable<T>,
  origins: readonly MessageOrigin[],
): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw remapErrorParam(error, origins);
  }
}
