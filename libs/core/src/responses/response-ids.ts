import { randomBytes } from 'node:crypto';

/** Makes the ids of a Response and its output items; injectable so tests are deterministic. */
export interface ResponseIdSource {
  next(prefix: 'resp' | 'msg' | 'fc' | 'rs' | 'call'): string;
}

/** OpenAI-shaped ids: a prefix and random hex (`resp_…`, `msg_…`, `fc_…`, `rs_…`). */
export const randomResponseIds: ResponseIdSource = {
  next: (prefix) => `${prefix}_${randomBytes(24).toString('hex')}`,
};

/** `resp_1`, `msg_2`, …: for tests and fixtures. */
export function sequentialResponseIds(): ResponseIdSource {
  let counter = 0;
  return { next: (prefix) => `${prefix}_${++counter}` };
}
