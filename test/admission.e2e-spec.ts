import OpenAI from 'openai';
import sharp from 'sharp';
import { handleOpenAi } from './fakes/openai-upstream';
import { startFakeServer, type FakeServer } from './support/fake-server';
import { startGateway, type StartedGateway } from './support/gateway';

/**
 * Memory admission control through the real gateway: large bodies beyond the in-flight budget wait unread,
 * and one that waits longer than the queue timeout gets a 503 with Retry-After and never reaches the upstream.
 */
describe('in-flight body budget end to end (openai SDK → Iris → fake OpenAI)', () => {
  let upstream: FakeServer;
  let iris: StartedGateway;
  let imageUrl = '';
  // Upstream answers are held until the test releases them.
  const held: Array<() => void> = [];
  const releaseUpstream = (): void => held.splice(0).forEach((release) => release());

  beforeAll(async () => {
    // Noise does not compress: ~120 KB of PNG, a body well over the 64 KiB from which the budget applies.
    const png = await sharp({
      create: {
        width: 200,
        height: 200,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer();
    imageUrl = `data:image/png;base64,${png.toString('base64')}`;
    upstream = await startFakeServer(async (request, response) => {
      await new Promise<void>((resolve) => held.push(resolve));
      await handleOpenAi(request, response, {});
    });
    const budget = imageUrl.length + 10_000; // room for one such request at a time
    iris = await startGateway({
      env: { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-upstream' },
      configYaml: `limits: { inFlightBodyBytes: ${budget}, queueTimeoutMs: 400 }\n`,
    });
  });
  afterAll(async () => {
    releaseUpstream();
    await iris.close();
    await upstream.close();
  });

  const ask = () =>
    iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: imageUrl } },
          ],
        },
      ],
    });

  it('queues a second large request behind the first and answers 503 + Retry-After when it waits too long', async () => {
    const first = ask();
    await waitFor(() => upstream.requests.length === 1);
    const second = await ask().catch((error: unknown) => error);
    expect(second).toBeInstanceOf(OpenAI.APIError);
    const apiError = second as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.headers?.get('retry-after')).toBe('1');
    expect(apiError.error).toMatchObject({ type: 'service_unavailable', code: 'gateway_busy' });
    // It never reached the upstream, and the first one still completes.
    expect(upstream.requests).toHaveLength(1);
    releaseUpstream();
    const answer = await first;
    expect(answer.choices[0].message.content).toBeTruthy();
  });

  it('lets a waiting request run as soon as the one before it finishes', async () => {
    upstream.requests.length = 0;
    const first = ask();
    await waitFor(() => upstream.requests.length === 1);
    const second = ask();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstream.requests).toHaveLength(1); // still waiting in the gateway
    // /ready shows the budget as an operator would see it: one body in flight, one waiting.
    const busy = (await (await fetch(`${iris.url}/ready`)).json()) as ReadyBody;
    expect(busy.status).toBe('ready');
    expect(busy.bodyBudget).toMatchObject({ budgetBytes: imageUrl.length + 10_000, waiting: 1 });
    expect(busy.bodyBudget.bytesInFlight).toBeGreaterThan(imageUrl.length);
    releaseUpstream();
    await first;
    await waitFor(() => upstream.requests.length === 2);
    releaseUpstream();
    const answer = await second;
    expect(answer.choices[0].message.content).toBeTruthy();
    // Each share is released when its response closes.
    let idle = (await (await fetch(`${iris.url}/ready`)).json()) as ReadyBody;
    for (let tries = 0; idle.bodyBudget.bytesInFlight > 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      idle = (await (await fetch(`${iris.url}/ready`)).json()) as ReadyBody;
    }
    expect(idle.bodyBudget).toMatchObject({ bytesInFlight: 0, waiting: 0 });
  });

  it('never holds small requests back', async () => {
    upstream.requests.length = 0;
    const large = ask();
    await waitFor(() => upstream.requests.length === 1);
    const small = iris.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await waitFor(() => upstream.requests.length === 2);
    releaseUpstream();
    await Promise.all([large, small]);
  });
});

interface ReadyBody {
  status: string;
  bodyBudget: { budgetBytes: number; bytesInFlight: number; waiting: number };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
