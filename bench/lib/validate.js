'use strict';
// Checks that a response is a real, complete answer of the expected shape
// (the mock's text always starts with "The image shows").
const MOCK_TEXT = 'The image';

function validate(kind, status, text) {
  if (status < 200 || status > 299) return `HTTP ${status}: ${text.slice(0, 300)}`;
  try {
    switch (kind) {
      case 'openai-json': {
        const j = JSON.parse(text);
        const c = j?.choices?.[0]?.message?.content;
        if (typeof c !== 'string' || !c.startsWith(MOCK_TEXT))
          return `bad chat.completion: ${text.slice(0, 300)}`;
        if (!j.usage) return 'chat.completion has no usage';
        return null;
      }
      case 'anthropic-json': {
        const j = JSON.parse(text);
        return j?.content?.[0]?.text?.startsWith(MOCK_TEXT) ? null : `bad message: ${text.slice(0, 300)}`;
      }
      case 'gemini-json': {
        const j = JSON.parse(text);
        return j?.candidates?.[0]?.content?.parts?.[0]?.text?.startsWith(MOCK_TEXT)
          ? null
          : `bad generateContent: ${text.slice(0, 300)}`;
      }
      case 'openai-sse': {
        if (!text.includes('chat.completion.chunk'))
          return `no chat.completion.chunk events: ${text.slice(0, 300)}`;
        if (!/"finish_reason"\s*:\s*"stop"/.test(text)) return 'stream has no finish_reason "stop"';
        if (!/"content"\s*:\s*"The"/.test(text)) return 'stream has no first content delta "The"';
        return null;
      }
      case 'anthropic-sse':
        return text.includes('event: message_stop') ? null : 'no message_stop';
      case 'gemini-sse':
        return text.includes('"finishReason":"STOP"') ? null : 'no finishReason STOP';
      default:
        return `unknown kind ${kind}`;
    }
  } catch (e) {
    return `unparseable (${e.message}): ${text.slice(0, 300)}`;
  }
}

// cheap per-response completeness check used during load (looks at the tail only)
const TAILS = {
  'openai-sse': ['[DONE]', '"finish_reason":"stop"', 'finish_reason'],
  'anthropic-sse': ['message_stop'],
  'gemini-sse': ['STOP'],
};
function tailOk(kind, tail) {
  const t = TAILS[kind];
  if (!t) return true;
  return t.some((m) => tail.includes(m));
}

module.exports = { validate, tailOk };
