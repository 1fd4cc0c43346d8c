import { SdkHeaderTemplates, type SdkCallOptions, type SdkClientParts } from './sdk-header-templates';

interface Built {
  req: { headers: Headers };
  path: 'slow' | 'fast';
}

const CLIENT: SdkClientParts = {
  buildURL: (path, query) =>
    `http://upstream.test/v1${path}${query ? `?${new URLSearchParams(query as Record<string, string>)}` : ''}`,
  timeout: 600_000,
};

/** Builds `options` through the templates and says which path it took and with which headers. */
async function build(templates: SdkHeaderTemplates, options: SdkCallOptions, retryCount = 0): Promise<Built> {
  const built = await templates.buildRequest(CLIENT, options, retryCount, async () => ({
    req: { headers: new Headers({ 'user-agent': 'sdk', timeout: String(options.timeout) }) },
    path: 'slow' as const,
  }));
  return 'path' in built ? built : { req: built.req, path: 'fast' };
}

const JSON_POST: SdkCallOptions = { method: 'post', path: '/chat/completions', body: { model: 'm' } };
const emptyMerged = (): object => ({ values: new Headers(), nulls: new Set<string>() });

describe('SdkHeaderTemplates', () => {
  it('lets the SDK build the first call of a kind and copies its headers for the next ones', async () => {
    const templates = new SdkHeaderTemplates();
    const first = await build(templates, JSON_POST);
    const second = await build(templates, JSON_POST);
    const third = await build(templates, { ...JSON_POST, body: { other: true } });
    expect([first.path, second.path, third.path]).toEqual(['slow', 'fast', 'fast']);
    expect([...(second.req.headers as Headers)]).toEqual([...(first.req.headers as Headers)]);
    // Copies: changing one call's headers changes neither the template nor another call's.
    (second.req.headers as Headers).set('user-agent', 'changed');
    expect((third.req.headers as Headers).get('user-agent')).toBe('sdk');
    expect(((await build(templates, JSON_POST)).req.headers as Headers).get('user-agent')).toBe('sdk');
  });

  it('builds the rest of a templated call as the SDK builds a JSON call', async () => {
    const templates = new SdkHeaderTemplates();
    const signal = new AbortController().signal;
    await build(templates, JSON_POST);
    const call = { ...JSON_POST, query: { beta: 'true' }, signal, body: { model: 'm', text: 'é"\n' } };
    const built = await templates.buildRequest(CLIENT, call, 0, async () => {
      throw new Error('the SDK was asked');
    });
    expect(built).toEqual({
      req: { method: 'post', headers: expect.any(Headers), signal, body: '{"model":"m","text":"é\\"\\n"}' },
      url: 'http://upstream.test/v1/chat/completions?beta=true',
      timeout: 600_000,
    });
    const unsignalled = await templates.buildRequest(CLIENT, JSON_POST, 0, async () => {
      throw new Error('the SDK was asked');
    });
    expect('signal' in unsignalled.req).toBe(false);
  });

  it('keeps one template per method, timeout and auth scheme', async () => {
    const templates = new SdkHeaderTemplates();
    const kinds: SdkCallOptions[] = [
      JSON_POST,
      { ...JSON_POST, method: 'put' },
      { ...JSON_POST, timeout: 5_000 },
      { ...JSON_POST, __security: { bearerAuth: true } },
      { ...JSON_POST, __security: { adminAPIKeyAuth: true } },
    ];
    for (const kind of kinds) expect((await build(templates, kind)).path).toBe('slow');
    for (const kind of kinds) expect((await build(templates, kind)).path).toBe('fast');
    const timed = await build(templates, { ...JSON_POST, timeout: 5_000 });
    expect((timed.req.headers as Headers).get('timeout')).toBe('5000');
  });

  it.each<[string, SdkCallOptions, number?]>([
    ['a retry', JSON_POST, 1],
    ['a body that is not a plain object', { ...JSON_POST, body: new Uint8Array(2) }],
    ['a string body', { ...JSON_POST, body: '{}' }],
    ['no body', { method: 'get', path: '/models' }],
    ['per-call headers', { ...JSON_POST, headers: { 'x-one': '1' } }],
    [
      'a non-empty merged header set',
      { ...JSON_POST, headers: { values: new Headers({ a: '1' }), nulls: new Set() } },
    ],
    [
      'a merged set that removes a header',
      { ...JSON_POST, headers: { values: new Headers(), nulls: new Set(['a']) } },
    ],
    ['fetch options', { ...JSON_POST, fetchOptions: { keepalive: true } }],
    ['an idempotency key', { ...JSON_POST, idempotencyKey: 'k' }],
  ])('always lets the SDK build a call with %s', async (_name, options, retryCount = 0) => {
    const templates = new SdkHeaderTemplates();
    await build(templates, options, retryCount);
    expect((await build(templates, options, retryCount)).path).toBe('slow');
  });

  it('counts an empty merged header set (as @anthropic-ai/sdk passes one) as no headers', async () => {
    const templates = new SdkHeaderTemplates();
    await build(templates, { ...JSON_POST, headers: emptyMerged() });
    expect((await build(templates, { ...JSON_POST, headers: emptyMerged() })).path).toBe('fast');
    expect((await build(templates, { ...JSON_POST, headers: null })).path).toBe('fast');
  });
});
