/** Settings for a whole Claude backend (`backend.options`). */
export interface AnthropicBackendOptions {
  /** true: the gateway fetches http(s) image URLs and sends bytes (for upstreams that cannot reach the URL). */
  inlineImageUrls: boolean;
}

/** Validates `backend.options`; an unknown key or a wrong type is a configuration error at boot. */
export function parseAnthropicBackendOptions(raw: Record<string, unknown> = {}): AnthropicBackendOptions {
  const options: AnthropicBackendOptions = { inlineImageUrls: false };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'inlineImageUrls') {
      if (typeof value !== 'boolean')
        throw new Error(`Claude backend option 'inlineImageUrls' must be true or false.`);
      options.inlineImageUrls = value;
    } else {
      throw new Error(`Unknown Claude backend option '${key}'.`);
    }
  }
  return options;
}
