import OpenAI from 'openai';
import { recordingFetch, type SentRequest } from '../__fixtures__/recording-fetch';
import { OpenAiClient } from './openai-client';

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
};

/** A client of `Client` whose fetch records each request and answers with a completion (or a model list). */
function recordingClient(
  Client: typeof OpenAI,
  options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {},
): { client: OpenAI; sent: SentRequest[] } {
  const { fetch, sent } = recordingFetch((url) =>
    url.endsWith('/models') ? { object: 'list', data: [] } : COMPLETION,
  );
  const client = new Client({
    apiKey: 'sk-test',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    timeout: 30_000,
    defaultHeaders: { 'x-extra': 'on' },
    fetch,
    ...options,
  });
  return { client, sent };
}

/** Every kind of call the adapter makes, each twice (the second one takes the template). */
async function calls(client: OpenAI): Promise<void> {
  const body = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'Hello' }],
    temperature: 0.2,
  };
  for (let round = 0; round < 2; round++) {
    await client.chat.completions.create(body);
    await client.chat.completions.create(body, { signal: new AbortController().signal });
    await client.chat.completions.create({ ...body, stream: true }).asResponse();
    await client.chat.completions.create(body, { headers: { 'x-per-call': 'yes' } });
    await client.chat.completions.create(body, { timeout: 5_000 });
    await client.models.list();
  }
}

describe('OpenAiClient', () => {
  it('sends exactly what the SDK sends, call for call', async () => {
    const sdk = recordingClient(OpenAI);
    const ours = recordingClient(OpenAiClient);
    await calls(sdk.client);
    await calls(ours.client);
    expect(ours.sent).toHaveLength(12);
    expect(ours.sent).toEqual(sdk.sent);
    expect(ours.sent[6].headers).toContainEqual(['authorization', 'Bearer sk-test']);
    expect(ours.sent[6].headers).toContainEqual(['content-type', 'application/json']);
    expect(ours.sent[9].headers).toContainEqual(['x-per-call', 'yes']);
    expect(ours.sent[10].headers).toContainEqual(['x-stainless-timeout', '5']);
  });

  it('builds the headers once per kind of call and copies them after', async () => {
    const sdkBuild = jest.spyOn(OpenAI.prototype, 'buildRequest');
    const { client } = recordingClient(OpenAiClient);
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
    for (let index = 0; index < 5; index++) await client.chat.completions.create(body);
    // Only the first call went through the SDK's own buildRequest.
    expect(sdkBuild).toHaveBeenCalledTimes(1);
    await client.chat.completions.create(body, { headers: { 'x-per-call': 'yes' } });
    await client.models.list();
    expect(sdkBuild).toHaveBeenCalledTimes(3);
    sdkBuild.mockRestore();
  });

  it('gives each call its own headers object (a change to one never reaches the next)', async () => {
    const seen: Headers[] = [];
    const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const headers = init?.headers as Headers;
      seen.push(headers);
      headers.set('authorization', 'Bearer changed');
      return new Response(JSON.stringify(COMPLETION), { headers: { 'content-type': 'application/json' } });
    };
    const { client } = recordingClient(OpenAiClient, { fetch });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };
    await client.chat.completions.create(body);
    await client.chat.completions.create(body);
    await client.chat.completions.create(body);
    expect(new Set(seen).size).toBe(3);
    expect(seen.every((headers) => headers instanceof Headers)).toBe(true);
    // Each call started from the SDK's headers, not from the previous call's change.
    const sdk = recordingClient(OpenAI);
    await sdk.client.chat.completions.create(body);
    expect(sdk.sent[0].headers).toContainEqual(['authorization', 'Bearer sk-test']);
  });
});
