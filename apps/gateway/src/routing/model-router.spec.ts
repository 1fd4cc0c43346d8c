import type { ProviderAdapter, ProviderDefinition } from '@app/core';
import { GatewayError } from '@app/core';
import type { BackendConfig } from '../config/gateway-config';
import { ModelRouter } from './model-router';

function backend(
  name: string,
  modelPatterns: string[] = [],
): { backend: BackendConfig; adapter: ProviderAdapter } {
  return {
    backend: {
      name,
      provider: 'openai',
      headers: {},
      timeoutMs: 1,
      options: {},
      modelOptions: {},
      modelPatterns,
      models: [],
      discoverModels: false,
    },
    adapter: { name } as ProviderAdapter,
  };
}

const providers = [
  { kind: 'anthropic', defaultModelPatterns: ['claude-*'], environment: { apiKey: 'ANTHROPIC_API_KEY' } },
] as unknown as ProviderDefinition[];

describe('ModelRouter', () => {
  const router = new ModelRouter(
    [backend('openai', ['gpt-*', 'o3*']), backend('ollama'), backend('gemini', ['gemini-*'])],
    [{ id: 'fast', backend: 'ollama', upstreamModel: 'llava:7b' }],
    providers,
  );

  it.each([
    ['fast', 'ollama', 'llava:7b'],
    ['ollama/llava', 'ollama', 'llava'],
    ['ollama/library/llava:13b', 'ollama', 'library/llava:13b'],
    ['gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['o3-mini', 'openai', 'o3-mini'],
    ['gemini-2.5-flash', 'gemini', 'gemini-2.5-flash'],
    ['gemini/gemini-2.5-pro', 'gemini', 'gemini-2.5-pro'],
  ])('%s → %s / %s', (model, backendName, upstreamModel) => {
    const route = router.resolve(model);
    expect(route.backend.name).toBe(backendName);
    expect(route.upstreamModel).toBe(upstreamModel);
  });

  it.each(['unknown-model', 'nobackend/x', 'ollama/'])('%s → 404 model_not_found', (model) => {
    expect(() => router.resolve(model)).toThrow(GatewayError);
    try {
      router.resolve(model);
    } catch (error) {
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    }
  });

  it('says which key configures a known provider that is missing', () => {
    expect(() => router.resolve('claude-sonnet-4-5')).toThrow(/set ANTHROPIC_API_KEY/);
  });
  it('remembers pattern matches (same route again) for at most 1000 model names, and still refuses unknown ones', () => {
    const fresh = new ModelRouter([backend('openai', ['gpt-*'])], [], providers);
    expect(fresh.resolve('gpt-4o')).toBe(fresh.resolve('gpt-4o'));
    for (let index = 0; index < 1100; index++) fresh.resolve(`gpt-${index}`);
    expect(fresh.resolve('gpt-1050')).not.toBe(fresh.resolve('gpt-1050'));
    expect(fresh.resolve('gpt-1050').upstreamModel).toBe('gpt-1050');
    expect(() => fresh.resolve('claude-3')).toThrow(GatewayError);
  });
});
