import type { ChatCompletionContentPartImage, CompletionUsage } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import { GatewayError, isGatewayError } from '../gateway-error';
import { sniffImageMediaType, type PreparedImage } from '../images/prepared-image';
import { parseImageUrl } from '../images/parse-image-url';
import { base64Characters, type Base64Data } from '../images/base64-bytes';
import type { Logger } from '../logger';
import { ocrCacheKey, ocrImageDigest, type OcrCache } from './ocr-cache';
import { buildOcrAnalysisPrompt, ocrLabel, OCR_PROMPT_VERSION, userQuestionOf } from './ocr-prompt';
import { runWithConcurrency } from './run-with-concurrency';
import { emptyUsage, sumUsage } from './sum-usage';

/** Sends one image with the analysis prompt to `model`. Throws on failure; honours `signal`. */
export interface OcrAnalyser {
  (
    image: PreparedImage,
    prompt: string,
    signal: AbortSignal,
    model: string,
  ): Promise<{ text: string; usage?: CompletionUsage }>;
}

export interface OcrModeOptions {
  /** The analysing model as the client named it (shown in the labels). */
  ocrModel: string;
  /** Tried in order for an image whose analysis by `ocrModel` failed (operator config); none by default. */
  fallbackModels?: readonly string[];
  analyse: OcrAnalyser;
  cache: OcrCache;
  /** Most analyses in flight at once. */
  concurrency: number;
  /** The client's signal: aborting it cancels every pending analysis. */
  signal: AbortSignal;
  /** Part of the cache key; defaults to the current prompt's version. */
  promptVersion?: string;
  logger?: Logger;
}

export interface OcrImageAnalysis {
  /** 1-based image number in the conversation, as in the label. */
  index: number;
  /** Where the image was, e.g. `messages[0].content[1]`. */
  param: string;
  /** The model whose analysis is used (a fallback model when `ocrModel` failed). */
  model: string;
  /** True when no analysis call was made (cache hit, or the same image earlier in this request). */
  cached: boolean;
  /** What the analysis call cost; absent when cached or when the OCR backend reports none. */
  usage?: CompletionUsage;
}

export interface OcrModeResult {
  analyses: OcrImageAnalysis[];
  /** Sum over the analysis calls made for this request. */
  usage: CompletionUsage;
}

interface ImageSlot {
  index: number;
  messageIndex: number;
  partIndex: number;
  param: string;
  image: PreparedImage;
}

interface AnalysisOutcome {
  text: string;
  model: string;
  cached: boolean;
  usage?: CompletionUsage;
}

/**
 * OCR mode: every image in the conversation goes to the OCR model (in parallel, at most `concurrency` at once,
 * cached by image bytes + model + prompt version) and is then replaced IN PLACE by a labelled text part, so the
 * target model receives no image parts. All-or-nothing: on a failure the request is left untouched and a 502
 * names the image.
 */
export async function applyOcrMode(request: ChatRequest, options: OcrModeOptions): Promise<OcrModeResult> {
  if (options.signal.aborted) throw GatewayError.cancelled();
  const slots = collectImages(request);
  if (slots.length === 0) return { analyses: [], usage: emptyUsage() };

  const promptVersion = options.promptVersion ?? OCR_PROMPT_VERSION;
  const prompt = buildOcrAnalysisPrompt(userQuestionOf(request));
  // One controller for this request's analyses: the client's abort and our own first failure both stop them.
  const controller = new AbortController();
  const onClientAbort = (): void => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onClientAbort, { once: true });
  // The same image twice in one request is analysed once.
  const inFlight = new Map<string, Promise<AnalysisOutcome>>();

  const models = [options.ocrModel, ...(options.fallbackModels ?? [])];

  // Each image is hashed once, whatever the number of models that try it.
  const digests = new Map<ImageSlot, Promise<string>>();
  const digestOf = (slot: ImageSlot, data: Base64Data): Promise<string> => {
    let digest = digests.get(slot);
    if (!digest) digests.set(slot, (digest = ocrImageDigest(data)));
    return digest;
  };

  /** One model's analysis of one image, through the cache (keyed by the model that answers). */
  const analyseWith = async (slot: ImageSlot, model: string): Promise<AnalysisOutcome> => {
    const key =
      slot.image.source === 'base64'
        ? ocrCacheKey(await digestOf(slot, slot.image.data), model, promptVersion)
        : undefined;
    if (key === undefined) return analyseOnce(slot, prompt, options, controller.signal, model);
    const shared = inFlight.get(key);
    if (shared) return { ...(await shared), cached: true, usage: undefined };
    const outcome = (async (): Promise<AnalysisOutcome> => {
      const hit = await readCache(options, key);
      if (hit !== undefined) return { text: hit, model, cached: true };
      const fresh = await analyseOnce(slot, prompt, options, controller.signal, model);
      await writeCache(options, key, fresh.text);
      return fresh;
    })();
    inFlight.set(key, outcome);
    return outcome;
  };

  /** The OCR model first, then each fallback model in order; the error names every model tried. */
  const analyseSlot = async (slot: ImageSlot): Promise<AnalysisOutcome> => {
    const failures: Array<{ model: string; error: unknown }> = [];
    for (const model of models) {
      try {
        return await analyseWith(slot, model);
      } catch (error) {
        if (options.signal.aborted || (isGatewayError(error) && error.status === 499))
          throw GatewayError.cancelled();
        failures.push({ model, error });
        if (failures.length < models.length) {
          options.logger?.warn(
            { image: slot.param, model, err: error instanceof Error ? error.message : String(error) },
            'OCR analysis failed; trying the next fallback model',
          );
        }
      }
    }
    throw analysisFailed(slot, failures);
  };

  try {
    const outcomes = await runWithConcurrency(
      slots.map((slot) => () => analyseSlot(slot)),
      options.concurrency,
    );
    slots.forEach((slot, position) =>
      replaceWithText(request, slot, ocrLabel(slot.index, outcomes[position].model, outcomes[position].text)),
    );
    return {
      analyses: slots.map((slot, position) => ({
        index: slot.index,
        param: slot.param,
        model: outcomes[position].model,
        cached: outcomes[position].cached,
        ...(outcomes[position].usage ? { usage: outcomes[position].usage } : {}),
      })),
      usage: sumUsage(outcomes.map((outcome) => outcome.usage)),
    };
  } catch (error) {
    controller.abort(error);
    throw error;
  } finally {
    options.signal.removeEventListener('abort', onClientAbort);
  }
}

async function analyseOnce(
  slot: ImageSlot,
  prompt: string,
  options: OcrModeOptions,
  signal: AbortSignal,
  model: string,
): Promise<AnalysisOutcome> {
  if (options.signal.aborted) throw GatewayError.cancelled();
  const result = await options.analyse(slot.image, prompt, signal, model);
  return { text: result.text, model, cached: false, usage: result.usage };
}

/**
 * 502 naming the image and carrying each model's upstream reason (and its status, for the message only):
 * "… by model 'a' failed (upstream status 429): …; then by model 'b' failed: …".
 */
function analysisFailed(
  slot: ImageSlot,
  failures: ReadonlyArray<{ model: string; error: unknown }>,
): GatewayError {
  const reasons = failures.map(({ model, error }, position) => {
    const reason = error instanceof Error ? error.message : String(error);
    const status = isGatewayError(error) ? ` (upstream status ${error.status})` : '';
    return `${position === 0 ? '' : 'then '}by model '${model}' failed${status}: ${reason}`;
  });
  const last = failures[failures.length - 1]?.error;
  return new GatewayError(502, `OCR analysis of image ${slot.index} (${slot.param}) ${reasons.join('; ')}`, {
    param: slot.param,
    code: 'ocr_analysis_failed',
    provider: isGatewayError(last) ? last.provider : undefined,
  });
}

/** Image parts of every message whose content is a list (user messages, and tool results that carry images). */
function collectImages(request: ChatRequest): ImageSlot[] {
  const slots: ImageSlot[] = [];
  request.messages.forEach((message, messageIndex) => {
    const content = partsOf(message);
    content?.forEach((part, partIndex) => {
      if (part.type !== 'image_url') return;
      const param = `messages[${messageIndex}].content[${partIndex}]`;
      slots.push({
        index: slots.length + 1,
        messageIndex,
        partIndex,
        param,
        image: imageForAnalysis(part as ChatCompletionContentPartImage, `${param}.image_url.url`),
      });
    });
  });
  return slots;
}

/**
 * The image as the client sent it, read with the image layer's tolerant intake (raw base64, whitespace,
 * base64url, ...): OCR mode runs before the target's image layer, and the OCR model's own image layer then
 * fits the image for the analysis call.
 */
function imageForAnalysis(part: ChatCompletionContentPartImage, param: string): PreparedImage {
  const raw: unknown = part.image_url;
  const url = typeof raw === 'string' ? raw : (raw as { url?: unknown } | undefined)?.url;
  if (typeof url !== 'string') throw GatewayError.invalidRequest('Image URL is missing.', param);
  const source = parseImageUrl(url, param);
  if (source.kind === 'remote') return { source: 'url', url: source.url };
  const mediaType = sniffImageMediaType(Buffer.from(base64Characters(source.base64, 0, 64), 'base64'));
  if (!mediaType) {
    throw GatewayError.invalidRequest(
      'Unsupported image format for OCR mode: accepted formats are PNG, JPEG, WEBP and GIF.',
      param,
      'invalid_image_format',
    );
  }
  return { source: 'base64', mediaType, data: source.base64 };
}

function partsOf(message: ChatRequest['messages'][number]): Array<{ type: string }> | undefined {
  const content = (message as { content?: unknown }).content;
  return Array.isArray(content) ? (content as Array<{ type: string }>) : undefined;
}

function replaceWithText(request: ChatRequest, slot: ImageSlot, text: string): void {
  const content = partsOf(request.messages[slot.messageIndex]);
  if (content) content[slot.partIndex] = { type: 'text', text } as { type: string };
}

async function readCache(options: OcrModeOptions, key: string): Promise<string | undefined> {
  try {
    return await options.cache.get(key);
  } catch (error) {
    options.logger?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'OCR cache read failed',
    );
    return undefined;
  }
}

async function writeCache(options: OcrModeOptions, key: string, text: string): Promise<void> {
  try {
    await options.cache.set(key, text);
  } catch (error) {
    options.logger?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'OCR cache write failed',
    );
  }
}
