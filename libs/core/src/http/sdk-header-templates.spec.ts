import { SdkHeaderTemplates, type SdkCallOptions } from './sdk-header-templates';

interface Built {
  req: { headers?: unknown };
  path: 'slow' | 'fast';
}

/** Builds `options` through the templates and says which path it took and with which headers. */
async function build(templates: SdkHeaderTemplates, options: SdkCallOptions, retryCount = 0): Promise<Built> {
  return templates.buildRequest<Built>(
    options,
    retryCount,
    async () => ({
      req: { headers: new Headers({ 'user-agent': 'sdk', timeout: String(options.timeout) }) },
      path: 'slow',
    }),
    (headers) => ({ req: { headers }, path: 'fast' }),
  );
}

const JSON_POST: SdkCallOptions = { method: 'post', body: { model: 'm' } };
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
    ['a body that is not a plain object', { method: 'post', body: new Uint8Array(2) }],
    ['a string body', { method: 'post', body: '{}' }],
    ['no body', { method: 'get' }],
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
