import type { Response } from './responses-types';
import type { ResponseEcho } from './convert-responses-request';

export interface ResponseIdentity {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model name as the client sent it. */
  model: string;
}

/**
 * The Response object before any output: what `response.created` carries and what the final object extends.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function createResponseSkeleton(identity: ResponseIdentity, echo: ResponseEcho): Response {
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status: 'in_progress',
    completed_at: null,
    error: null,
    incomplete_details: null,
    model: identity.model,
    output: [],
    output_text: '',
    ...echo,
  };
}
