import type { ProviderDefinition } from '@app/core';
import { ConfigError, globMatches, interpolateEnvironment, loadConfig } from './load-config';

const fakeAdapter = {} as ReturnType<ProviderDefinition['create']>;
const providers: ProviderDefinition[] = [
  {
    kind: 'openai',
    defaultModelPatterns: ['gpt-*'],
    environment: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
    create: () => fakeAdapter,
  },
  {
    kind: 'anthropic',
    defaultModelPatterns: ['claude-*'],
    environment: { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' },
    defaultModels: ['claude-sonnet-4-5'],
    create: () => fakeAdapter,
  },
  {
    kind: 'local-ocr',
    defaultModelPatterns: ['local-ocr'],
    worksWithoutKey: true,
    defaultModels: ['local-ocr'],
    create: () => fakeAdapter,
  },
];

describe('loadConfig', () => {
  it('boots with no environment at all: only keyless backends, port 8080, open gateway', () => {
    const config = loadConfig({}, providers);
    expect(config.backends.map((backend) => backend.name)).toEqual(['local-ocr']);
    expect(config.port).toBe(8080);
    expect(config.gatewayKeys).toEqual([]);
    expect(config.bodyLimitBytes).toBe(64 * 1024 * 1024);
    expect(config.inFlightBodyBytes).toBe(64 * 1024 * 1024);
    expect(config.queueTimeoutMs).toBe(30_000);
    expect(config.bodyReadTimeoutMs).toBe(120_000);
    expect(config.images.allowPrivateHosts).toBe(false);
    expect(config.ocr.defaultModel).toBe('local-ocr');
  });

  it('creates a provider backend from its key or base URL, with its default patterns and models', () => {
    const config = loadConfig(
      {
        ANTHROPIC_API_KEY: 'k',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        PORT: '9000',
        GATEWAY_API_KEYS: 'a, b,,c',
      },
      providers,
    );
    const anthropic = config.backends.find((backend) => backend.name === 'anthropic')!;
    expect(anthropic).toMatchObject({
      apiKey: 'k',
      modelPatterns: ['claude-*'],
      models: ['claude-sonnet-4-5'],
    });
    expect(config.backends.find((backend) => backend.name === 'openai')).toMatchObject({
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: undefined,
    });
    expect(config.port).toBe(9000);
    expect(config.gatewayKeys).toEqual(['a', 'b', 'c']);
    expect(config.models).toContainEqual({
      id: 'claude-sonnet-4-5',
      backend: 'anthropic',
      upstreamModel: 'claude-sonnet-4-5',
    });
  });

  it('reads named OpenAI-compatible backends, aliases and ${ENV} from YAML', () => {
    const yaml = `
gatewayKeys: ["\${IRIS_KEY}"]
backends:
  - name: ollama
    baseUrl: http://127.0.0.1:11434/v1
    models: [llava, { id: vision, upstream: "llava:13b" }]
    headers: { x-team: "\${TEAM:-blue}" }
aliases:
  fast: ollama/llava
limits: { bodyLimitBytes: 1048576, inFlightBodyBytes: 0, queueTimeoutMs: 5000 }
images: { allowPrivateHosts: true, maxImageBytes: 1000 }
`;
    const config = loadConfig({ IRIS_KEY: 'secret' }, providers, yaml);
    expect(config).toMatchObject({ inFlightBodyBytes: 0, queueTimeoutMs: 5000 });
    expect(
      loadConfig({ IRIS_KEY: 'secret', IRIS_INFLIGHT_BODY_BYTES: '1000' }, providers, yaml).inFlightBodyBytes,
    ).toBe(1000);
    const ollama = config.backends.find((backend) => backend.name === 'ollama')!;
    expect(ollama).toMatchObject({
      provider: 'openai',
      apiKey: undefined,
      headers: { 'x-team': 'blue' },
      modelPatterns: [],
    });
    expect(config.gatewayKeys).toEqual(['secret']);
    expect(config.bodyLimitBytes).toBe(1048576);
    expect(config.images).toMatchObject({ allowPrivateHosts: true, maxImageBytes: 1000 });
    expect(config.models).toEqual(
      expect.arrayContaining([
        { id: 'llava', backend: 'ollama', upstreamModel: 'llava' },
        { id: 'vision', backend: 'ollama', upstreamModel: 'llava:13b' },
        { id: 'fast', backend: 'ollama', upstreamModel: 'llava' },
      ]),
    );
  });

  it.each([
    ['backends: [{ name: x, provider: nope }]', /backends\[0\]\.provider: unknown provider "nope"/],
    ['backends: [{ name: x, baseUrl: ftp://a }]', /backends\[0\]\.baseUrl/],
    ['backends: [{ name: x }, { name: x }]', /backends\[1\]\.name: "x" is used twice/],
    ['port: 99999', /port/],
    ['unknownField: 1', /unknownField/],
    ['images: { maxImageBytes: -1 }', /images\.maxImageBytes/],
    ['aliases: { a: claude-x }', /aliases\.a/],
    ['gatewayKeys: ["${MISSING}"]', /MISSING is referenced/],
    ['[1, 2', /not valid YAML/],
  ])('rejects %s with an error naming the field', (yaml, message) => {
    expect(() => loadConfig({}, providers, yaml)).toThrow(ConfigError);
    expect(() => loadConfig({}, providers, yaml)).toThrow(message);
  });

  it('rejects a non-numeric PORT', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, providers)).toThrow(/PORT must be a whole number/);
  });
});

describe('interpolateEnvironment', () => {
  it('fills variables and defaults', () => {
    expect(interpolateEnvironment('a ${X} ${Y:-d} ${Z:-}', { X: '1' })).toBe('a 1 d ');
  });
});

describe('globMatches', () => {
  it.each([
    ['gpt-*', 'gpt-4o', true],
    ['gpt-*', 'xgpt-4o', false],
    ['o1*', 'o1', true],
    ['*-ocr', 'claude-ocr', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxcyyb', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s ~ %s → %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });
});
