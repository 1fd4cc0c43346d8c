import type { ChatCompletion } from '../openai-types';
import type { Response } from './responses-types';

type FinishReason = ChatCompletion.Choice['finish_reason'];

export interface ResponseOutcome {
  status: 'completed' | 'incomplete';
  incompleteDetails: Response['incomplete_details'];
}

/**
 * Chat `finish_reason` → Responses `status` and `incomplete_details`.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details
 */
export function mapFinishReason(finishReason: FinishReason | null | undefined): ResponseOutcome {
  switch (finishReason) {
    case 'length':
      return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
    case 'stop':
    case 'tool_calls':
    case 'function_call':
    case null:
    case undefined:
      return { status: 'completed', incompleteDetails: null };
    default: {
      // Exhaustive at compile time; an unexpected runtime value still ends the response normally.
      const _unexpected: never = finishReason;
      return { status: 'completed', incompleteDetails: null };
    }
  }
}
