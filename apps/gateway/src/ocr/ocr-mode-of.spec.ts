import type { ChatRequest } from '@app/core';
import type { BackendConfig } from '../config/gateway-config';
import { exactModelNames, ocrModeOf } from './ocr-mode-of';

const exact = new Set(['local-ocr', 'my-ocr']);
const request = (model: string, extra: Record<string, unknown> = {}) =>
  ({ model, messages: [{ role: 'user', content: 'x' }], ...extra }) as ChatRequest;

describe('ocrModeOf', () => {
  it.each([
    ['gpt-3.5-turbo', {}, undefined],
    [
      'gpt-3.5-turbo-ocr',
      {},
      { clientModel: 'gpt-3.5-turbo-ocr', targetModel: 'gpt-3.5-turbo', ocrModel: 'local-ocr' },
    ],
    [
      'claude-haiku-4-5-ocr',
      {},
      { clientModel: 'claude-haiku-4-5-ocr', targetModel: 'claude-haiku-4-5', ocrModel: 'local-ocr' },
    ],
    [
      'deepseek-chat',
      { ocr_model: 'gpt-4o' },
      { clientModel: 'deepseek-chat', targetModel: 'deepseek-chat', ocrModel: 'gpt-4o' },
    ],
    [
      'deepseek-chat-ocr',
      { ocr_model: 'gpt-4o' },
      { clientModel: 'deepseek-chat-ocr', targetModel: 'deepseek-chat', ocrModel: 'gpt-4o' },
    ],
    ['local-ocr', {}, undefined],
    ['my-ocr', {}, undefined],
    ['-ocr', {}, undefined],
    ['gpt-4o', { ocr_model: null }, undefined],
  ])('%s %j', (model, extra, expected) => {
    expect(ocrModeOf(request(model, extra), 'local-ocr', exact)).toEqual(expected);
  });

  it.each([[''], ['  '], [42]])('rejects ocr_model=%j with a 400', (value) => {
    expect(() => ocrModeOf(request('gpt-4o', { ocr_model: value }), 'local-ocr', exact)).toThrow(
      expect.objectContaining({ status: 400, param: 'ocr_model' }),
    );
  });
});

describe('exactModelNames', () => {
  it('holds configured models and wildcard-free patterns only', () => {
    const backend = (modelPatterns: string[]) => ({ modelPatterns }) as BackendConfig;
    const names = exactModelNames({
      models: [{ id: 'local-ocr', backend: 'local-ocr', upstreamModel: 'local-ocr' }],
      backends: [backend(['gpt-*', 'house-ocr']), backend(['*'])],
    });
    expect([...names].sort()).toEqual(['house-ocr', 'local-ocr']);
  });
});
