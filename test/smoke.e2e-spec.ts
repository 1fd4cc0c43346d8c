import { startGateway, type StartedGateway } from './support/gateway';
import { startOpenAiFake } from './fakes/openai-upstream';
import type { FakeServer } from './support/fake-server';

describe('smoke', () => {
  let upstream: FakeServer;
  let iris: StartedGateway;
  beforeAll(async () => {
    upstream = await startOpenAiFake({ apiKey: 'sk-upstream' });
    iris = await startGateway({
      env: { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-upstream' },
    });
  });
  afterAll(async () => {
    await iris.close();
    await upstream.close();
  });
  it('answers', async () => {
    const completion = await iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0].message.content).toContain('Hello from gpt-4o-mini');
    const stream = await iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain('Hello');
  });
});
