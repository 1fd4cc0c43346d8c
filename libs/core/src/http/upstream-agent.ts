import { Agent, fetch as undiciFetch } from 'undici';

/**
 * One pooled keep-alive dispatcher for every upstream call, so requests reuse connections instead of
 * paying a TCP (and TLS) handshake each. Adapters hand `upstreamFetch` to their SDK's `fetch` option.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: null });

export const upstreamFetch: typeof globalThis.fetch = ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
  undiciFetch(input as Parameters<typeof undiciFetch>[0], {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: agent,
  }) as unknown as Promise<Response>) as typeof globalThis.fetch;

export async function closeUpstreamAgent(): Promise<void> {
  await agent.close();
}
