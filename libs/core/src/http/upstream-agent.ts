import { Agent, fetch as undiciFetch } from 'undici';

/**
 * One pooled keep-alive dispatcher for every upstream call, so requests reuse connections instead of
 * paying a TCP (and TLS) handshake each. Adapters hand `upstreamFetch` to their SDK's `fetch` option.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: null });

export const upstreamFetch: typeof globalThis.fetch = ((
  input: Parameters<typeof globalThis.fetch>[0],
  init?: RequestInit,
) =>
  undiciFetch(input as Parameters<typeof undiciFetch>[0], {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: agent,
  }).catch((error: unknown) => {
    throw sameRealmError(error);
  }) as unknown as Promise<Response>) as typeof globalThis.fetch;

/**
 * SDKs classify fetch failures with `instanceof Error` (an AbortError after their timeout is a timeout).
 * An abort `DOMException` comes from Node's own realm, which is not the realm of code run inside a VM
 * context (jest), so it is rewrapped there; in a plain process it is returned as it is.
 */
function sameRealmError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const wrapped = new Error(String(message ?? 'fetch failed'), { cause: error });
  wrapped.name = String(name ?? 'Error');
  return wrapped;
}

export async function closeUpstreamAgent(): Promise<void> {
  await agent.close();
}
