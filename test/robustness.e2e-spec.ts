import { writeFileSync } from 'node:fs';
import { startGateway, type StartedGateway } from './support/gateway';
import { startOpenAiFake } from './fakes/openai-upstream';
import { startAnthropicFake } from './fakes/anthropic-upstream';
import { startGeminiUpstream, type GeminiUpstream } from './fakes/gemini-upstream';
import type { FakeServer } from './support/fake-server';

/**
 * Bad input never crashes the process and never becomes a 5xx: a bounded, seeded fuzz of chat and
 * Responses bodies (valid requests with fields replaced by values of the wrong type, removed, or nested
 * oddly), sent to every backend. Every answer is either a success or an OpenAI error envelope with a 4xx
 * status, and the gateway is still healthy at the end. The seed makes a failure reproducible.
 */
jest.setTimeout(120_000);

const SEED = 20261123;
const CASES_PER_ENDPOINT = 150;

/** mulberry32: a tiny deterministic PRNG. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value ^= value + Math.imul(value ^ (value >>> 7), 61 | value);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const chatSeed = (model: string): Record<string, unknown> => ({
  model,
  max_tokens: 50,
  temperature: 0.5,
  stop: ['END'],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ],
  tool_choice: 'auto',
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
  ],
});

const responsesSeed = (model: string): Record<string, unknown> => ({
  model,
  instructions: 'Be brief.',
  max_output_tokens: 50,
  input: [
    {
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: PNG, detail: 'auto' },
      ],
    },
  ],
  tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }],
});

const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  '',
  ' ',
  'x',
  '{"a":1}',
  'data:image/png;base64,!!!!',
  'data:;base64,',
  'http://169.254.169.254/latest/meta-data',
  'javascript:alert(1)',
  '\u0000',
  '💥'.repeat(100),
  [],
  [null],
  [[[]]],
  {},
  { type: 'text' },
  { type: 'image_url', image_url: {} },
  { role: 'tool' },
  { __proto__: { polluted: true } },
  'a'.repeat(10_000),
];

/** Every path to a value inside `value`, so a mutation can target any depth. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

function mutate(body: Record<string, unknown>, next: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  const mutations = 1 + Math.floor(next() * 3);
  const root: unknown = copy;
  for (let count = 0; count < mutations; count++) {
    const paths = pathsOf(root).filter((path) => path.length > 0);
    if (paths.length === 0) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
    const path = paths[Math.floor(next() * paths.length)];
    let parent = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    const choice = next();
    if (choice < 0.6) parent[last] = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
    else if (choice < 0.8) {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = { nested: parent[last], extra: [parent[last]] };
  }
  return root;
}

describe('robustness: fuzzed bodies never crash the gateway nor become 5xx', () => {
  let openai: FakeServer;
  let anthropic: FakeServer;
  let gemini: GeminiUpstream;
  let iris: StartedGateway;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    openai = await startOpenAiFake();
    anthropic = await startAnthropicFake({ apiKey: 'test-anthropic-key' });
    gemini = await startGeminiUpstream({ apiKey: 'test-gemini-key' });
    iris = await startGateway({
      env: {
        OPENAI_BASE_URL: `${openai.url}/v1`,
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_API_KEY: 'test-anthropic-key',
        GEMINI_BASE_URL: gemini.url,
        GEMINI_API_KEY: 'test-gemini-key',
      },
    });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await iris.close();
    await openai.close();
    await anthropic.close();
    await gemini.close();
  });

  async function send(path: string, body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${iris.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  function expectWellFormed(result: { status: number; text: string }, label: string): void {
    if (result.status >= 500) {
      if (process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, label);
      throw new Error(`${label.slice(0, 1000)} → ${result.status}: ${result.text.slice(0, 500)}`);
    }
    if (result.status >= 400) {
      const body = JSON.parse(result.text) as { error?: { message?: unknown; type?: unknown } };
      if (typeof body.error?.message !== 'string' || typeof body.error?.type !== 'string') {
        throw new Error(
          `${label} → ${result.status} without an OpenAI error envelope: ${result.text.slice(0, 300)}`,
        );
      }
    }
  }

  it.each([
    ['/v1/chat/completions', 'gpt-4o', chatSeed],
    ['/v1/chat/completions', 'claude-sonnet-4-5', chatSeed],
    ['/v1/chat/completions', 'gemini-2.5-flash', chatSeed],
    ['/v1/responses', 'gpt-4o', responsesSeed],
    ['/v1/responses', 'claude-sonnet-4-5', responsesSeed],
    ['/v1/responses', 'gemini-2.5-flash', responsesSeed],
  ])('%s with %s', async (path, model, seed) => {
    const next = random(SEED + model.length + path.length);
    const valid = seed(model);
    // The unmutated request works, so the mutations are what the gateway has to cope with.
    const baseline = await send(path, JSON.stringify(valid));
    expect(baseline.status).toBe(200);
    for (let index = 0; index < CASES_PER_ENDPOINT; index++) {
      const body = mutate(valid, next);
      const streamed = next() < 0.3 && body && typeof body === 'object' && !Array.isArray(body);
      const payload = streamed ? { ...(body as object), stream: true } : body;
      const result = await send(path, JSON.stringify(payload));
      if (streamed && result.status === 200) continue; // a stream's errors are events, checked elsewhere
      expectWellFormed(result, `case ${index} ${JSON.stringify(payload)}`);
    }
    // Truncated JSON and non-JSON bytes.
    const text = JSON.stringify(valid);
    for (let index = 0; index < 20; index++) {
      const cut = text.slice(0, Math.floor(next() * text.length));
      expectWellFormed(await send(path, cut), `truncated at ${cut.length}`);
    }
    expect((await fetch(`${iris.url}/health`)).status).toBe(200);
    expect(unhandled).toEqual([]);
  });
});
