import { GatewayError } from '../gateway-error';
import type { Logger } from '../logger';
import type { ChatCompletionContentPartImage } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import { base64JsonText, decodeBase64InTurns, decodedLength, type Base64Data } from './base64-bytes';
import { base64Source, bufferSource, type ByteSource } from './byte-source';
import { FetchCache } from './fetch-cache';
import { fitImage, ImageTooLargeToFitError, UndecodableImageError } from './fit-image';
import { countGifFrames } from './gif-frames';
import { readDimensions } from './image-dimensions';
import {
  acceptedFormatsSentence,
  EXTRA_IMAGE_FORMATS,
  isImageMediaType,
  SNIFF_BYTES,
  sniffImageType,
  type SniffedImageType,
} from './image-formats';
import type { ImageSettings } from './image-settings';
import { imageTokenCost, type ImageDetail } from './image-token-cost';
import { parseImageUrl } from './parse-image-url';
import { planImageFit, type FitPlan } from './plan-image-fit';
import { attachPreparedImage, type PreparedImage } from './prepared-image';
import type { ImageMediaType, ProviderImageRules } from './provider-image-rules';
import { redactUrl } from './redact-url';
import { ImageFetchError, SafeFetcher, type SafeFetchHooks } from './safe-fetch';

/** What happened to one image, in order. */
export type ImageAction =
  | 'url-passed' // the backend fetches the URL itself
  | 'fetched' // the gateway fetched the URL (safely) and inlined it
  | 'fetch-cached' // ... from the short-lived cache
  | 'fetch-shared' // ... the same URL earlier in this request
  | 'normalized' // declared form was not canonical (type, case, parameters, whitespace, base64url, raw base64)
  | 'converted' // re-encoded to another format
  | 'downscaled'
  | 'recompressed' // same size, re-encoded to get under a byte limit
  | 'unchanged'; // sent exactly as received (no decode, no copy)

export interface ImageReportEntry {
  /** `messages[i].content[j].image_url.url` */
  param: string;
  origin: 'data' | 'url';
  /** What the adapter receives: inline base64 or the URL. */
  sent: 'inline' | 'url';
  actions: ImageAction[];
  /** Why it was converted/downscaled/recompressed, one line each. */
  reasons: string[];
  /** Type read from the bytes (never the declared one). */
  sourceMediaType?: SniffedImageType;
  declaredMediaType?: string;
  sourceWidth?: number;
  sourceHeight?: number;
  sourceBytes?: number;
  mediaType?: ImageMediaType;
  width?: number;
  height?: number;
  bytes?: number;
  /** Whether `part.image_url.url` was replaced by a canonical data URI. */
  rewritten: boolean;
  /** OpenAI-rule token estimate; undefined for URLs the backend fetches (size unknown). */
  estimatedTokens?: number;
}

export interface ImagePreparationReport {
  images: ImageReportEntry[];
  /** Sum of the known per-image estimates (budgets, rate limits); the client's usage stays the provider's. */
  estimatedImageTokens: number;
  /** URL fetches that went to the network (cache hits and repeats excluded). */
  fetchedUrls: number;
}

interface LocatedPart {
  part: ChatCompletionContentPartImage;
  param: string;
}

interface FetchOutcome {
  bytes: Buffer;
  fromCache: boolean;
}

interface RequestState {
  rules: ProviderImageRules;
  imageCount: number;
  fetches: Map<string, Promise<FetchOutcome>>;
  signal: AbortSignal;
  fetchedUrls: number;
}

const DETAILS = new Set(['low', 'high', 'auto']);

/**
 * Every image part of every message passes through here before any adapter sees it, so all backends get the
 * same rules: tolerant data-URI intake, type from the bytes, format and size limits, safe URL fetching, fitting
 * to the backend's limits, token estimates. Results are attached to the parts (`attachPreparedImage`), and the
 * part's URL is rewritten to a canonical data URI only when the image changed or was sent in a non-canonical
 * form; otherwise the multi-megabyte string is left alone.
 */
export class ImageLayer {
  private readonly fetcher: SafeFetcher;
  private readonly cache: FetchCache;
  private readonly extraFormats: ReadonlySet<string>;

  /** @param hooks test seams for the fetcher (injected DNS answers, addresses treated as public) */
  constructor(
    private readonly settings: ImageSettings,
    private readonly logger: Logger,
    hooks: SafeFetchHooks = {},
  ) {
    const extras = settings.extraFormats ?? [];
    const unknown = extras.filter((format) => !(EXTRA_IMAGE_FORMATS as readonly string[]).includes(format));
    if (unknown.length > 0) {
      throw new Error(
        `Unknown extra image formats: ${unknown.join(', ')} (known: ${EXTRA_IMAGE_FORMATS.join(', ')})`,
      );
    }
    this.extraFormats = new Set(extras);
    this.fetcher = new SafeFetcher(
      {
        maxBytes: settings.maxImageBytes,
        timeoutMs: settings.fetchTimeoutMs,
        maxRedirects: settings.maxRedirects,
        allowPrivateHosts: settings.allowPrivateHosts,
        allowedHosts: settings.allowedHosts,
        deniedHosts: settings.deniedHosts,
      },
      logger,
      hooks,
    );
    this.cache = new FetchCache(settings.cacheMaxBytes, settings.cacheTtlMs);
  }

  /** Walks every image_url part of every message (user, and tool messages with image parts), in place. */
  async prepare(
    request: ChatRequest,
    rules: ProviderImageRules,
    options: { signal: AbortSignal },
  ): Promise<ImagePreparationReport> {
    const parts = collectImageParts(request);
    if (parts.length > this.settings.maxImagesPerRequest) {
      throw GatewayError.invalidRequest(
        `Too many images: ${parts.length} in this request, at most ${this.settings.maxImagesPerRequest} are accepted.`,
        'messages',
        'too_many_images',
      );
    }
    const report: ImagePreparationReport = { images: [], estimatedImageTokens: 0, fetchedUrls: 0 };
    if (parts.length === 0) return report;
    // One failing image stops the others' fetches.
    const stop = new AbortController();
    const state: RequestState = {
      rules,
      imageCount: parts.length,
      fetches: new Map(),
      signal: AbortSignal.any([options.signal, stop.signal]),
      fetchedUrls: 0,
    };
    try {
      report.images = await Promise.all(parts.map((located) => this.prepareOne(located, state)));
    } catch (error) {
      stop.abort();
      if (options.signal.aborted) throw GatewayError.cancelled();
      throw error;
    }
    report.fetchedUrls = state.fetchedUrls;
    report.estimatedImageTokens = report.images.reduce((sum, entry) => sum + (entry.estimatedTokens ?? 0), 0);
    return report;
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.fetcher.close();
  }

  private async prepareOne({ part, param }: LocatedPart, state: RequestState): Promise<ImageReportEntry> {
    const url: unknown = part.image_url.url;
    if (typeof url !== 'string' || url.length === 0) {
      throw GatewayError.invalidRequest('The image URL is missing.', param, 'invalid_image_url');
    }
    const detail = part.image_url.detail as string | undefined;
    if (detail !== undefined && !DETAILS.has(detail)) {
      throw GatewayError.invalidRequest(
        `Invalid image detail '${detail}': expected 'low', 'high' or 'auto'.`,
        param.replace(/\.url$/, '.detail'),
        'invalid_value',
      );
    }
    const source = parseImageUrl(url, param);

    if (source.kind === 'remote') {
      if (state.rules.acceptsImageUrls && !this.settings.alwaysInlineUrls) {
        attachPreparedImage(part, { source: 'url', url: source.url });
        return { param, origin: 'url', sent: 'url', actions: ['url-passed'], reasons: [], rewritten: false };
      }
      const fetched = await this.fetchOnce(source.url, param, state);
      const action: ImageAction = fetched.shared
        ? 'fetch-shared'
        : fetched.fromCache
          ? 'fetch-cached'
          : 'fetched';
      const entry = await this.prepareBytes(
        bufferSource(fetched.bytes),
        async () => fetched.bytes,
        part,
        param,
        detail as ImageDetail | undefined,
        state,
        { origin: 'url', actions: [action] },
      );
      const prepared = entry.prepared;
      part.image_url.url = `data:${prepared.mediaType};base64,${base64JsonText(prepared.data)}`;
      this.logChange(entry.report, redactUrl(source.url));
      return { ...entry.report, rewritten: true };
    }

    if (source.decodedBytes > this.settings.maxImageBytes) {
      throw GatewayError.invalidRequest(
        `The image is ${source.decodedBytes} bytes; at most ${this.settings.maxImageBytes} bytes are accepted.`,
        param,
        'image_too_large',
      );
    }
    const entry = await this.prepareBytes(
      base64Source(source.base64, source.decodedBytes),
      () => decodeBase64InTurns(source.base64),
      part,
      param,
      detail as ImageDetail | undefined,
      state,
      { origin: 'data', actions: [], declaredMediaType: source.declaredMediaType, base64: source.base64 },
    );
    const { prepared, changed } = entry;
    const canonical = !changed && source.wellFormed && source.declaredMediaType === prepared.mediaType;
    if (!canonical) {
      // Request bytes keep their placeholder: the upstream fetch writes them in place (base64-bytes.ts).
      part.image_url.url = `data:${prepared.mediaType};base64,${base64JsonText(prepared.data)}`;
      if (!changed) entry.report.actions.unshift('normalized');
    }
    if (entry.report.actions.length === 0) entry.report.actions.push('unchanged');
    this.logChange(entry.report);
    return { ...entry.report, rewritten: !canonical };
  }

  /** Sniff, validate, measure from the header, and fit to the backend when needed (decoding only then). */
  private async prepareBytes(
    bytes: ByteSource,
    decode: () => Promise<Buffer>,
    part: ChatCompletionContentPartImage,
    param: string,
    detail: ImageDetail | undefined,
    state: RequestState,
    start: {
      origin: 'data' | 'url';
      actions: ImageAction[];
      declaredMediaType?: string;
      base64?: Base64Data;
    },
  ): Promise<{
    prepared: Extract<PreparedImage, { source: 'base64' }>;
    report: ImageReportEntry;
    changed: boolean;
  }> {
    const type = sniffImageType(bytes.read(0, SNIFF_BYTES));
    if (!type) {
      throw this.formatError('The image data is not a recognised image.', param);
    }
    if (!isImageMediaType(type) && !this.extraFormats.has(type)) {
      throw this.formatError(`Unsupported image format ${type}.`, param);
    }
    const animated = type === 'image/gif' && countGifFrames(bytes) > 1;
    if (animated && !this.extraFormats.has('image/gif;animated')) {
      throw this.formatError('Animated GIFs are not supported.', param);
    }
    const dimensions = readDimensions(bytes, type);
    const facts = {
      type,
      animated,
      bytes: bytes.length,
      width: dimensions?.width,
      height: dimensions?.height,
    };
    const plan = planImageFit(facts, state.rules, detail, state.imageCount);
    const report: ImageReportEntry = {
      param,
      origin: start.origin,
      sent: 'inline',
      actions: [...start.actions],
      reasons: plan?.reasons ?? [],
      sourceMediaType: type,
      declaredMediaType: start.declaredMediaType,
      sourceWidth: facts.width,
      sourceHeight: facts.height,
      sourceBytes: bytes.length,
      rewritten: false,
    };

    let prepared: Extract<PreparedImage, { source: 'base64' }>;
    if (!plan) {
      const data = start.base64 ?? (await decode()).toString('base64');
      prepared = { source: 'base64', mediaType: type as ImageMediaType, data, ...dimensions };
    } else {
      prepared = await this.fit(await decode(), plan, param, facts, report);
    }
    attachPreparedImage(part, prepared);
    report.mediaType = prepared.mediaType;
    report.width = prepared.width;
    report.height = prepared.height;
    report.bytes = plan ? decodedLength(prepared.data) : bytes.length;
    report.estimatedTokens =
      detail === 'low'
        ? 85
        : prepared.width && prepared.height
          ? imageTokenCost(prepared.width, prepared.height, detail)
          : undefined;
    return { prepared, report, changed: plan !== undefined };
  }

  private async fit(
    input: Buffer,
    plan: FitPlan,
    param: string,
    facts: { type: SniffedImageType; width?: number; height?: number; bytes: number },
    report: ImageReportEntry,
  ): Promise<Extract<PreparedImage, { source: 'base64' }>> {
    try {
      const fitted = await fitImage(input, plan);
      if (fitted.mediaType !== facts.type) report.actions.push('converted');
      const smaller =
        facts.width !== undefined && facts.height !== undefined
          ? fitted.width < facts.width || fitted.height < facts.height
          : plan.maxSide !== undefined;
      if (smaller) report.actions.push('downscaled');
      if (fitted.mediaType === facts.type && !smaller) report.actions.push('recompressed');
      return {
        source: 'base64',
        mediaType: fitted.mediaType,
        data: fitted.data.toString('base64'),
        width: fitted.width,
        height: fitted.height,
      };
    } catch (error) {
      if (error instanceof UndecodableImageError) {
        throw GatewayError.invalidRequest(
          `The image could not be decoded as ${facts.type}.`,
          param,
          'invalid_image_data',
        );
      }
      if (error instanceof ImageTooLargeToFitError) {
        throw GatewayError.invalidRequest(
          `The image ${error.message} for this model.`,
          param,
          'image_too_large',
        );
      }
      throw error;
    }
  }

  /** Each distinct URL once per request; recent fetches come from the byte-bounded cache. */
  private async fetchOnce(
    url: string,
    param: string,
    state: RequestState,
  ): Promise<FetchOutcome & { shared: boolean }> {
    const pending = state.fetches.get(url);
    if (pending) return { ...(await this.awaitFetch(pending, param)), shared: true };
    const cached = this.cache.get(url);
    const started: Promise<FetchOutcome> = cached
      ? Promise.resolve({ bytes: cached, fromCache: true })
      : this.fetcher.fetch(url, state.signal).then((result) => {
          state.fetchedUrls++;
          this.cache.set(url, result.bytes);
          this.logger.debug(
            { url: result.redactedUrl, bytes: result.bytes.length, redirects: result.redirects },
            'image fetched',
          );
          return { bytes: result.bytes, fromCache: false };
        });
    state.fetches.set(url, started);
    return { ...(await this.awaitFetch(started, param)), shared: false };
  }

  private async awaitFetch(pending: Promise<FetchOutcome>, param: string): Promise<FetchOutcome> {
    try {
      return await pending;
    } catch (error) {
      if (error instanceof ImageFetchError)
        throw GatewayError.invalidRequest(error.message, param, error.code);
      throw error;
    }
  }

  private formatError(what: string, param: string): GatewayError {
    return GatewayError.invalidRequest(
      `${what} ${acceptedFormatsSentence([...this.extraFormats])}`,
      param,
      'invalid_image_format',
    );
  }

  private logChange(entry: ImageReportEntry, url?: string): void {
    if (entry.actions.every((action) => action === 'unchanged' || action === 'url-passed')) return;
    this.logger.debug(
      {
        param: entry.param,
        url,
        actions: entry.actions,
        reasons: entry.reasons,
        from: {
          type: entry.sourceMediaType,
          width: entry.sourceWidth,
          height: entry.sourceHeight,
          bytes: entry.sourceBytes,
        },
        to: { type: entry.mediaType, width: entry.width, height: entry.height, bytes: entry.bytes },
      },
      'image prepared',
    );
  }
}

/** Every `image_url` part of every message, the `"image_url": "<url>"` shorthand normalised to `{ url }`. */
function collectImageParts(request: ChatRequest): LocatedPart[] {
  const located: LocatedPart[] = [];
  (request.messages ?? []).forEach((message, messageIndex) => {
    const content: unknown = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) return;
    content.forEach((part: unknown, partIndex) => {
      if (typeof part !== 'object' || part === null || (part as { type?: unknown }).type !== 'image_url')
        return;
      const image = part as { image_url?: unknown };
      const param = `messages[${messageIndex}].content[${partIndex}].image_url`;
      if (typeof image.image_url === 'string') image.image_url = { url: image.image_url };
      if (typeof image.image_url !== 'object' || image.image_url === null) {
        throw GatewayError.invalidRequest(
          'The image_url part has no image_url object.',
          param,
          'invalid_image_url',
        );
      }
      located.push({ part: part as ChatCompletionContentPartImage, param: `${param}.url` });
    });
  });
  return located;
}
