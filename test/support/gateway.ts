import OpenAI from 'openai';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway } from '../../apps/gateway/src/bootstrap';

export interface StartedGateway {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The official OpenAI SDK pointed at the gateway (retries off, so every test sees one attempt). */
  client: OpenAI;
  gateway: Gateway;
  close(): Promise<void>;
}

/**
 * The real app, in-process, on 127.0.0.1 and a free port. Configuration comes only from `env` and
 * `configYaml`, never from the test runner's environment.
 */
export async function startGateway(
  options: { env?: Record<string, string>; configYaml?: string; apiKey?: string } = {},
): Promise<StartedGateway> {
  const gateway = await createGateway({
    env: { LOG_LEVEL: 'silent', ...options.env },
    configYaml: options.configYaml,
  });
  await gateway.app.listen(0, '127.0.0.1');
  const { port } = gateway.app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    gateway,
    client: new OpenAI({ apiKey: options.apiKey ?? 'test-gateway-key', baseURL: `${url}/v1`, maxRetries: 0 }),
    close: () => gateway.app.close(),
  };
}
