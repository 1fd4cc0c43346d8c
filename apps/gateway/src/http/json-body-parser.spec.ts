import { request } from 'undici';
import Fastify from 'fastify';
import { BlockPool, GatewayError } from '@app/core';
import { registerJsonBodyParser } from './json-body-parser';

describe('registerJsonBodyParser', () => {
  const app = Fastify();
  registerJsonBodyParser(app, 1024, new BlockPool(4));
  app.post('/echo', async (request) => request.body);
  app.setErrorHandler((error, _request, reply) => {
    void reply
      .status(error instanceof GatewayError ? 400 : ((error as { statusCode?: number }).statusCode ?? 500))
      .send({
        code: error instanceof GatewayError ? error.code : (error as { code?: string }).code,
      });
  });
  let base = '';
  beforeAll(async () => {
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  /** Real HTTP (light-my-request's inject does not load under jest's VM modules). */
  async function post(payload: string | Buffer): Promise<{ statusCode: number; json: () => unknown }> {
    const response = await request(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const text = await response.body.text();
    return { statusCode: response.statusCode, json: () => JSON.parse(text) };
  }

  it.each([
    ['ASCII (decoded as latin1)', { text: 'plain ascii', image: 'data:image/png;base64,iVBORw0KGgo=' }],
    ['UTF-8 with accents, CJK and an emoji', { text: 'héllo ✓ 漢字 🙂' }],
    ['escaped non-ASCII in an ASCII body', { text: '\u00e9\ud83d\ude42' }],
  ])('parses %s to the same value as JSON.parse', async (_label, value) => {
    const payload = Buffer.from(JSON.stringify(value), 'utf8');
    const response = await post(payload);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(value);
  });

  it('answers invalid JSON with a GatewayError (invalid_json)', async () => {
    const response = await post('{"model":');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 'invalid_json' });
  });

  it('refuses a body over the limit (413)', async () => {
    const response = await post(JSON.stringify({ text: 'x'.repeat(2000) }));

    expect(response.statusCode).toBe(413);
  });
});
