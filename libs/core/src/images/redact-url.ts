/**
 * A URL safe for errors and logs: signed-URL query strings (X-Amz-Signature, sig=, token=...) and credentials
 * never leave the gateway; the fragment is dropped and very long paths are cut.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return '<invalid URL>';
  }
  const path = parsed.pathname.length > 200 ? `${parsed.pathname.slice(0, 200)}…` : parsed.pathname;
  return `${parsed.protocol}//${parsed.host}${path}${parsed.search ? '?<redacted>' : ''}`;
}
