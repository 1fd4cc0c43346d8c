import type { ServerResponse } from 'node:http';
import { startGateway } from './gateway';
import { startFakeServer } from './fake-server';

/**
 * An upstream that sends its answer's headers and the start of its body, then nothing (the connection stays
 * open), behind a gateway whose upstream timeout is 300 ms. A non-streamed chat completion through it must be
 * a 504 `timeout` within seconds (not undici's 5-minute default), and the upstream request must be closed.
 */
export async function expectStalledAnswerToTimeOut(options: {
  /** Writes the vendor's headers and the first bytes of its JSON answer. */
  start: (response: ServerResponse) => void;
  /** The gateway's environment for a backend at `url` (base URL and key variables). */
  env: (url: string) => Record<string, string>;
  model: string;
}): Promise<void> {
  const stalled = await startFakeServer((_request, response) => options.start(response));
  const gateway = await startGateway({
    env: { ...options.env(stalled.url), IRIS_UPSTREAM_TIMEOUT_MS: '300' },
  });
  try {
    const closed = stalled.closedWhileAnswering();
    const startedAt = Date.now();
    const error = await gateway.client.chat.completions
      .create({ model: options.model, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 504, type: 'timeout', code: 'upstream_timeout' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    await expect(closed).resolves.toEqual(expect.any(Number));
  } finally {
    await gateway.close();
    await stalled.close();
  }
}
