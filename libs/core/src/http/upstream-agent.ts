import { Agent } from 'undici';
import { createUpstreamFetch } from './upstream-fetch';

/**
 * One pooled keep-alive dispatcher for every upstream call, so requests reuse connections instead of
 * paying a TCP (and TLS) handshake each. Adapters hand `upstreamFetch` to their SDK's `fetch` option.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: null });

export const upstreamFetch: typeof globalThis.fetch = createUpstreamFetch(agent);

export async function closeUpstreamAgent(): Promise<void> {
  await agent.close();
}
