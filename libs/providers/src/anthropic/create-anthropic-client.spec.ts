import Anthropic from '@anthropic-ai/sdk';
import { recordingFetch, type SentRequest } from '../__fixtures__/recording-fetch';
import { AnthropicClient, createAnthropicClient } from './create-anthropic-client';

const MESSAGE = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text: 'Hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 1 },
};

/** A client of `Client`, set up as createAnthropicClient sets it up, whose fetch records each request. */
function recordingClient(Client: typeof Anthropic): { client: Anthropic; sent: SentRequest[] } {
  const { fetch, sent } = recordingFetch((url) =>
    url.includes('/models') ? { data: [], has_more: false } : MESSAGE,
  );
  const client = new Client({
    apiKey: 'sk-ant-test',
    baseURL: 'http://127.0.0.1:9',
    maxRetries: 0,
    timeout: 30_000,
    defaultHeaders: { authorization: null, 'x-api-key': 'sk-ant-test', 'anthropic-beta': 'b1' },
    fetch,
    logLevel: 'off',
    openTelemetry: false,
  });
  return { client, sent };
}

/** Every kind of call the adapter makes, each twice (the second one takes the template). */
async function calls(client: Anthropic): Promise<void> {
  const body = {
    model: 'claude-test',
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'Hello' }],
  };
  for (let round = 0; round < 2; round++) {
    await client.messages.create(body);
    await client.messages.create({ ...body, max_tokens: 64_000 }, { signal: new AbortController().signal });
    await client.messages.create({ ...body, stream: true }).asResponse();
    await client.messages.create(body, { headers: { 'anthropic-beta': 'b2' } });
    await client.messages.create(body, { timeout: 5_000 });
    for await (const model of client.models.list({ limit: 1000 })) void model;
  }
}

describe('AnthropicClient', () => {
  it('sends exactly what the SDK sends, call for call', async () => {
    const sdk = recordingClient(Anthropic);
    const ours = recordingClient(AnthropicClient);
    await calls(sdk.client);
    await calls(ours.client);
    expect(ours.sent).toHaveLength(12);
    expect(ours.sent).toEqual(sdk.sent);
    const repeated = ours.sent[6];
    expect(repeated.headers).toContainEqual(['x-api-key', 'sk-ant-test']);
    expect(repeated.headers).toContainEqual(['anthropic-version', expect.any(String)]);
    expect(repeated.headers.map(([name]) => name)).not.toContain('authorization');
    expect(ours.sent[9].headers).toContainEqual(['anthropic-beta', 'b2']);
    expect(ours.sent[10].headers).toContainEqual(['x-stainless-timeout', '5']);
  });

  it('builds the headers once per kind of call and copies them after', async () => {
    const sdkBuild = jest.spyOn(Anthropic.prototype, 'buildRequest');
    const { client } = recordingClient(AnthropicClient);
    const body = {
      model: 'claude-test',
      max_tokens: 10,
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    for (let index = 0; index < 5; index++) await client.messages.create(body);
    expect(sdkBuild).toHaveBeenCalledTimes(1);
    await client.messages.create({ ...body, stream: true }).asResponse();
    await client.messages.create({ ...body, stream: true }).asResponse();
    expect(sdkBuild).toHaveBeenCalledTimes(1);
    sdkBuild.mockRestore();
  });

  it('is the client the adapter gets', () => {
    const client = createAnthropicClient({
      name: 'claude',
      provider: 'anthropic',
      apiKey: 'sk-ant-test',
      headers: {},
      timeoutMs: 1000,
      options: {},
      modelOptions: {},
    });
    expect(client).toBeInstanceOf(AnthropicClient);
  });
});
