import { createHash } from 'node:crypto';
import { startFakeServer, type FakeServer } from '../support/fake-server';
import { countImages, handleOpenAi, openAiError, type ChatBody } from './openai-upstream';

/**
 * A text-only OpenAI-compatible model (DeepSeek-like): it rejects any image part exactly as such servers do, so
 * an OCR-mode test fails if one image reaches the target.
 */
export async function startTextOnlyFake(apiKey: string): Promise<FakeServer> {
  return startFakeServer((request, response) => {
    const body = request.json as ChatBody | undefined;
    if (body && Array.isArray(body.messages) && countImages(body) > 0) {
      return openAiError(
        response,
        400,
        'Failed to deserialize the JSON body into the target type: messages[0]: unknown variant `image_url`, expected `text`',
        'invalid_request_error',
        'invalid_request_error',
      );
    }
    return handleOpenAi(request, response, { apiKey, answer: () => 'The totals are 12 and 34.' });
  });
}

/** What the fake vision model "reads" in an image: derived from its bytes, so tests can predict it. */
export function fakeAnalysisOf(imageUrl: string): string {
  return `A receipt; text: "TOTAL ${createHash('sha256').update(imageUrl).digest('hex').slice(0, 8)}"`;
}

export type VisionBehaviour = 'answer' | 'fail' | 'hang';

export interface VisionFake {
  server: FakeServer;
  behave(behaviour: VisionBehaviour): void;
  /** Analysis calls received (chat completion requests). */
  analysisCalls(): number;
}

/**
 * An OpenAI-compatible vision model used as the OCR model: answers each analysis with `fakeAnalysisOf(url)`,
 * or fails like an overloaded upstream (500), or never answers (to test client disconnects).
 */
export async function startVisionFake(apiKey: string): Promise<VisionFake> {
  let behaviour: VisionBehaviour = 'answer';
  const server = await startFakeServer((request, response) => {
    if (behaviour === 'hang') return; // keeps the request open until the client goes away
    if (behaviour === 'fail') {
      return openAiError(
        response,
        500,
        'The server had an error while processing your request.',
        'server_error',
        null,
      );
    }
    return handleOpenAi(request, response, {
      apiKey,
      answer: (body) => {
        const content = body.messages[0]?.content as Array<{ type: string; image_url?: { url: string } }>;
        const image = content.find((part) => part.type === 'image_url');
        return image?.image_url ? fakeAnalysisOf(image.image_url.url) : 'no image received';
      },
    });
  });
  return {
    server,
    behave: (next) => {
      behaviour = next;
    },
    analysisCalls: () =>
      server.requests.filter((request) => request.url.endsWith('/chat/completions')).length,
  };
}

/**
 * Config YAML (the lines under `backends:`) for the text-only target (`deepseek-*`) and the vision fake
 * (`fake-vision`), as OCR-mode tests route them.
 */
export function ocrBackendsYaml(textOnly: FakeServer, vision: VisionFake): string {
  return `  - name: textonly
    provider: openai
    baseUrl: ${textOnly.url}/v1
    apiKey: sk-text
    patterns: ['deepseek-*']
  - name: vision
    provider: openai
    baseUrl: ${vision.server.url}/v1
    apiKey: sk-vision
    models: ['fake-vision']
`;
}
