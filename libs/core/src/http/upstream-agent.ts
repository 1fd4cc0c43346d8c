import { Agent } from 'undici';
import { createUpstreamFetch } from './upstream-fetch';

/**
 * One pooled keep-alive dispatcher for every upstream call, so requests reuse connections instead of
 * paying a TCP (and TLS) handshake each. Adapters hand `createBackendFetch(timeoutMs)` to their SDK's
 * `fetch` option.
 */
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: null });

/**
 * The pooled fetch for one backend: its `timeoutMs` is also the longest silence allowed inside a response
 * body (the SDKs' own timeouts end when the response headers arrive).
 */
export function createBackendFetch(timeoutMs: number): typeof globalThis.fetch {
  return createUpstreamFetch(agent, { bodyTimeoutMs: timeoutMs });
}

export async function closeUpstreamAgent(): Promise<void> {
  await agent.close();
}
