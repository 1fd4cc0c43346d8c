import OpenAI from 'openai';
import { SdkHeaderTemplates } from '@app/core';

type BuildRequestOptions = Parameters<OpenAI['buildRequest']>[0];
type BuildRequestContext = Parameters<OpenAI['buildRequest']>[1];

/**
 * The OpenAI SDK client, building the request headers of its JSON calls once and copying them after
 * (libs/core/src/http/sdk-header-templates.ts). Everything else is the SDK's own: the fast path builds what
 * `buildRequest` builds for a JSON body (URL, method, signal, `JSON.stringify` of the body, the timeout),
 * and `openai-client.spec.ts` compares the two on every kind of call the adapter makes.
 * @see https://github.com/openai/openai-node/blob/master/src/client.ts (buildRequest, buildBody)
 */
export class OpenAiClient extends OpenAI {
  private readonly headerTemplates = new SdkHeaderTemplates();

  override buildRequest(
    options: BuildRequestOptions,
    context: BuildRequestContext = {},
  ): ReturnType<OpenAI['buildRequest']> {
    return this.headerTemplates.buildRequest(this, options, context.retryCount ?? 0, () =>
      super.buildRequest(options, context),
    );
  }
}

// The SDK names itself in `User-Agent` after its class (`OpenAI/JS <version>`); the subclass keeps that name.
Object.defineProperty(OpenAiClient, 'name', { value: OpenAI.name });
