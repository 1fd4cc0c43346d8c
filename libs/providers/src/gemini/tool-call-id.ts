import { randomBytes } from 'node:crypto';

/**
 * Gemini 3 returns a `thoughtSignature` on a `functionCall` part that must be sent back on that part in the
 * next turn. OpenAI clients only echo the tool-call id, so the signature travels inside it:
 * `call_<random>` or `call_<random>_ts_<signature as base64url>`. Only `[A-Za-z0-9_-]` is used, so the id
 * stays valid for any backend the client may switch to.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const SIGNATURE_MARKER = '_ts_';
const ID_PATTERN = /^call_([A-Za-z0-9]+)_ts_([A-Za-z0-9_-]+)$/;

export function newToolCallId(thoughtSignature?: string): string {
  const random = randomBytes(12).toString('hex');
  if (!thoughtSignature) return `call_${random}`;
  // Character mapping, not decode/encode: the signature comes back exactly as Google sent it.
  const urlSafe = thoughtSignature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `call_${random}${SIGNATURE_MARKER}${urlSafe}`;
}

/** The signature carried by a tool-call id (standard base64, as the API wants it), or undefined. */
export function thoughtSignatureOfToolCallId(id: string): string | undefined {
  const match = ID_PATTERN.exec(id);
  if (!match) return undefined;
  const standard = match[2].replace(/-/g, '+').replace(/_/g, '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}
