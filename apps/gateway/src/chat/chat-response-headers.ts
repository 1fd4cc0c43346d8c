import type { CallReport } from '@app/core';

/** Response headers that tell the client what the gateway did (`x-iris-dropped-params`). */
export function reportHeaders(report: CallReport, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (report.droppedParameters.length > 0)
    headers['x-iris-dropped-params'] = report.droppedParameters.join(', ');
  return headers;
}
