import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import type { Logger } from '../logger';
import { HostRules } from './host-rules';
import { parseIpAddress, parseLenientIpv4, refusedAddressReason } from './ip-address';
import { redactUrl } from './redact-url';

export interface SafeFetchSettings {
  /** Largest body accepted, counted while streaming (Content-Length is not trusted). */
  maxBytes: number;
  /** Total time for all hops, headers and body. */
  timeoutMs: number;
  maxRedirects: number;
  /** On-prem and tests: allow loopback/private/link-local targets (deny-list entries still apply). */
  allowPrivateHosts: boolean;
  allowedHosts: readonly string[];
  deniedHosts: readonly string[];
}

/** Test seams: inject DNS answers, or let selected addresses count as public (e.g. one loopback listener). */
export interface SafeFetchHooks {
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  treatAsPublic?: (address: string) => boolean;
}

export interface FetchedImage {
  bytes: Buffer;
  /** The final URL after redirects, redacted (safe to log). */
  redactedUrl: string;
  redirects: number;
}

/** A fetch refused or failed; the message is safe to show the client (URL redacted). */
export class ImageFetchError extends Error {
  constructor(
    message: string,
    readonly code: 'image_url_not_allowed' | 'image_fetch_failed' | 'image_fetch_timeout' | 'image_too_large',
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

/** Raised inside the connection's DNS lookup so that the refusal survives undici's error wrapping. */
class RefusedAddressError extends Error {
  readonly code = 'EIRISREFUSED';
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches user-supplied image URLs without becoming an SSRF vector. http/https only. The host name is checked
 * against the allow/deny lists; DNS is resolved once per connection inside the socket's own `lookup`, every
 * resolved address is checked there, and the socket connects to exactly those checked addresses (no rebinding
 * window between check and connect). IP-literal hosts never reach a lookup and are checked up front. Redirects
 * are followed by hand and every hop is checked again. The body is capped while it streams, and one deadline
 * covers every hop.
 */
export class SafeFetcher {
  private readonly agent: Agent;
  private readonly allowed: HostRules;
  private readonly denied: HostRules;

  constructor(
    private readonly settings: SafeFetchSettings,
    private readonly logger: Logger,
    private readonly hooks: SafeFetchHooks = {},
  ) {
    this.allowed = new HostRules(settings.allowedHosts);
    this.denied = new HostRules(settings.deniedHosts);
    this.agent = new Agent({
      connect: { lookup: this.checkedLookup, timeout: settings.timeoutMs },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      keepAliveTimeout: 4_000,
      connections: 16,
    });
  }

  async fetch(url: string, signal: AbortSignal): Promise<FetchedImage> {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = AbortSignal.any([signal, deadline]);
    let current = this.parse(url);
    for (let redirects = 0; ; redirects++) {
      this.checkUrl(current);
      const response = await request(current, {
        dispatcher: this.agent,
        method: 'GET',
        headers: { accept: 'image/*', 'accept-encoding': 'identity', 'user-agent': 'iris-image-fetcher' },
        signal: combined,
      }).catch((error: unknown) => {
        throw this.translate(error, current, deadline);
      });
      const { statusCode, headers, body } = response;
      if (REDIRECT_STATUSES.has(statusCode)) {
        discard(body);
        const location = headers.location;
        if (typeof location !== 'string')
          throw this.failed(current, `answered ${statusCode} without a Location`);
        if (redirects >= this.settings.maxRedirects) {
          throw this.failed(current, `redirected more than ${this.settings.maxRedirects} times`);
        }
        const next = this.parse(location, current);
        this.logger.debug(
          { from: redactUrl(current), to: redactUrl(next), status: statusCode },
          'image fetch redirect',
        );
        current = next;
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        discard(body);
        throw this.failed(current, `answered HTTP ${statusCode}`);
      }
      const declaredLength = Number(headers['content-length']);
      if (Number.isFinite(declaredLength) && declaredLength > this.settings.maxBytes) {
        discard(body);
        throw this.tooLarge(current);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > this.settings.maxBytes) {
            discard(body);
            throw this.tooLarge(current);
          }
          chunks.push(chunk);
        }
      } catch (error) {
        discard(body);
        throw error instanceof ImageFetchError ? error : this.translate(error, current, deadline);
      }
      return { bytes: Buffer.concat(chunks, total), redactedUrl: redactUrl(current), redirects };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private parse(text: string, base?: URL): URL {
    try {
      return new URL(text, base);
    } catch {
      throw new ImageFetchError('The image URL is not a valid URL.', 'image_fetch_failed');
    }
  }

  /** Everything knowable before DNS: scheme, credentials, host lists, and IP-literal hosts. */
  private checkUrl(url: URL): void {
    const shown = redactUrl(url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw this.refused(`The image URL ${shown} is not allowed: only http and https URLs are fetched.`);
    }
    if (url.username || url.password) {
      throw this.refused(`The image URL ${shown} is not allowed: URLs with credentials are not fetched.`);
    }
    const hostname = url.hostname;
    if (this.denied.matchesName(hostname))
      throw this.refused(`The image host in ${shown} is on the deny list.`);
    if (!this.allowed.isEmpty && !this.allowed.matchesName(hostname) && !this.allowed.hasAddressRules) {
      throw this.refused(`The image host in ${shown} is not on the allow list.`);
    }
    // The WHATWG parser already turns `0x7f000001`, `2130706433`, `127.1` and octal forms into a dotted quad;
    // the lenient parse is a second guard should any such text reach us as a name.
    const literal = parseIpAddress(hostname) ? hostname : parseLenientIpv4(hostname);
    if (literal) {
      const reason = this.addressRefusal(literal, hostname);
      if (reason) throw this.refused(`The image URL ${shown} is not allowed: ${reason}.`);
    }
  }

  /** Why this resolved (or literal) address must not be connected to, or undefined. */
  private addressRefusal(address: string, hostname: string): string | undefined {
    if (this.denied.matchesAddress(address)) return 'the address is on the deny list';
    if (
      !this.allowed.isEmpty &&
      !this.allowed.matchesName(hostname) &&
      !this.allowed.matchesAddress(address)
    ) {
      return 'the host is not on the allow list';
    }
    if (this.settings.allowPrivateHosts || this.hooks.treatAsPublic?.(address)) return undefined;
    const reason = refusedAddressReason(address);
    return reason ? `the host resolves to a ${reason} address` : undefined;
  }

  /** The socket's DNS lookup: resolve once, check every address, hand exactly those to connect(). */
  private readonly checkedLookup: LookupFunction = (hostname, options, callback) => {
    const resolve =
      this.hooks.resolve ??
      ((name: string) =>
        new Promise<LookupAddress[]>((done, fail) =>
          dnsLookup(name, { all: true, verbatim: true }, (error, addresses) =>
            error ? fail(error) : done(addresses),
          ),
        ));
    resolve(hostname).then(
      (resolved) => {
        const addresses = options.family
          ? resolved.filter((entry) => entry.family === options.family)
          : resolved;
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
          return;
        }
        for (const entry of addresses) {
          const reason = this.addressRefusal(entry.address, hostname);
          if (reason) {
            callback(new RefusedAddressError(reason), '', 4);
            return;
          }
        }
        if (options.all)
          (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };

  private translate(error: unknown, url: URL, deadline: AbortSignal): Error {
    if (error instanceof ImageFetchError) return error;
    const refused = findCause(error, (cause) => cause instanceof RefusedAddressError);
    if (refused) return this.refused(`The image URL ${redactUrl(url)} is not allowed: ${refused.message}.`);
    if (deadline.aborted) {
      return new ImageFetchError(
        `Fetching the image ${redactUrl(url)} took longer than ${this.settings.timeoutMs} ms.`,
        'image_fetch_timeout',
      );
    }
    const code = findCause(error, (cause) => typeof (cause as { code?: unknown }).code === 'string') as
      (Error & { code: string }) | undefined;
    return this.failed(url, `could not be reached (${code?.code ?? (error as Error)?.name ?? 'error'})`);
  }

  private refused(message: string): ImageFetchError {
    this.logger.debug({ reason: message }, 'image fetch refused');
    return new ImageFetchError(message, 'image_url_not_allowed');
  }

  private failed(url: URL, what: string): ImageFetchError {
    return new ImageFetchError(`The image URL ${redactUrl(url)} ${what}.`, 'image_fetch_failed');
  }

  private tooLarge(url: URL): ImageFetchError {
    return new ImageFetchError(
      `The image at ${redactUrl(url)} is larger than ${this.settings.maxBytes} bytes.`,
      'image_too_large',
    );
  }
}

/** Drops a response body; undici's readable reports its own destruction as an error, which nobody needs here. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function findCause(error: unknown, test: (cause: Error) => boolean): Error | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
