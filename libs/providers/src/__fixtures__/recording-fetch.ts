/** One request as an SDK handed it to its fetch (the package-version header left out: it changes with upgrades). */
export interface SentRequest {
  url: string;
  method: string | undefined;
  headers: [string, string][];
  body: unknown;
  signal: boolean;
}

/**
 * A fetch for an SDK client under test that records each request and answers 200 with `answer(url)` as
 * JSON. The client specs send the same calls through the plain SDK and through the gateway's subclass and
 * compare what the two fetches recorded.
 */
export function recordingFetch(answer: (url: string) => unknown): {
  fetch: (url: string | URL | Request, init?: RequestInit) => Promise<Response>;
  sent: SentRequest[];
} {
  const sent: SentRequest[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    sent.push({
      url: String(url),
      method: init?.method,
      headers: [...headers].filter(([name]) => name !== 'x-stainless-package-version'),
      body: init?.body,
      signal: init?.signal instanceof AbortSignal,
    });
    return new Response(JSON.stringify(answer(String(url))), {
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, sent };
}
