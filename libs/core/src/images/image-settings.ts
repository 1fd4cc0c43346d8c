/** Operator settings for the image layer (config file / environment, validated by the app). */
export interface ImageSettings {
  /** Largest decoded image accepted, in bytes (data URIs and fetched URLs); bigger → 400. */
  maxImageBytes: number;
  /** Most image parts in one request; more → 400. */
  maxImagesPerRequest: number;
  /** Total time to fetch one URL image, all redirects included. */
  fetchTimeoutMs: number;
  maxRedirects: number;
  /** Allow fetching from loopback/private/link-local hosts (on-prem, tests). `IRIS_ALLOW_PRIVATE_IMAGE_HOSTS`. */
  allowPrivateHosts: boolean;
  /** When non-empty, only these hosts are fetched (names, `*.domain`, IPs, CIDR ranges). */
  allowedHosts: string[];
  /** Never fetched (names, `*.domain`, IPs, CIDR ranges); applies even with allowPrivateHosts. */
  deniedHosts: string[];
  /** Fetch and inline every URL image even for backends that fetch URLs themselves. */
  alwaysInlineUrls: boolean;
  /** Byte budget of the fetched-image cache (0 disables it). */
  cacheMaxBytes: number;
  cacheTtlMs: number;
  /**
   * Formats accepted beyond PNG, JPEG, WEBP and non-animated GIF, converted to PNG before sending:
   * `image/tiff`, `image/avif`, `image/svg+xml`, `image/gif;animated` (first frame).
   */
  extraFormats?: string[];
}

export const DEFAULT_IMAGE_SETTINGS: ImageSettings = {
  maxImageBytes: 20 * 1024 * 1024,
  maxImagesPerRequest: 50,
  fetchTimeoutMs: 15_000,
  maxRedirects: 5,
  allowPrivateHosts: false,
  allowedHosts: [],
  deniedHosts: [],
  alwaysInlineUrls: false,
  cacheMaxBytes: 64 * 1024 * 1024,
  cacheTtlMs: 60_000,
  extraFormats: [],
};
