import type { ChatRequest } from '../provider-adapter';

/** Bump whenever the analysis prompt changes: it is part of the cache key. */
export const OCR_PROMPT_VERSION = 'ocr-prompt-v1';

/** Longest user question quoted into the analysis prompt (characters); the rest is cut. */
const MAX_QUESTION_CHARACTERS = 2000;

/**
 * The prompt sent with each image to the analysing model. It asks for all visible text verbatim and a faithful
 * description, and quotes the user's question so the analysis keeps what the answer needs (task-aware).
 */
export function buildOcrAnalysisPrompt(question: string): string {
  const quoted =
    question.length > MAX_QUESTION_CHARACTERS
      ? `${question.slice(0, MAX_QUESTION_CHARACTERS)} […]`
      : question;
  return [
    'You are the vision step of a pipeline: another model that cannot see images will answer the user using only your analysis of the attached image.',
    '1. Transcribe ALL visible text verbatim, in reading order, keeping line breaks, numbers, units and punctuation. Do not translate, correct or summarise it.',
    '2. Then describe faithfully what the image shows: layout, objects, people, charts and tables (with their values), colours where they matter. Say what is unreadable; never guess beyond what is visible.',
    quoted.trim().length > 0
      ? `Pay particular attention to what this question from the user needs:\n"""\n${quoted.trim()}\n"""`
      : 'The user asked no specific question: be complete.',
    'Answer with the analysis only, without an introduction.',
  ].join('\n');
}

/** The text of the last user message: the question the analyses should serve. */
export function userQuestionOf(request: ChatRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index -= 1) {
    const message = request.messages[index];
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    return message.content
      .flatMap((part) => (part.type === 'text' ? [part.text] : []))
      .join('\n')
      .trim();
  }
  return '';
}

/** The text block that replaces image N for the target model. */
export function ocrLabel(imageNumber: number, ocrModel: string, text: string): string {
  const body = text.trim().length > 0 ? text.trim() : '(the analysis returned no text)';
  return `[Image ${imageNumber} — analysed by ${ocrModel}]: ${body}`;
}
