import { newToolCallId, thoughtSignatureOfToolCallId } from './tool-call-id';

describe('tool-call id carries the thought signature', () => {
  it.each([
    ['short', 'CiQBjz1rX8wz'],
    ['with + / and padding', 'Cr8BAY89a1/+qwerty+/Zz9=='],
    ['long', Buffer.alloc(600, 7).toString('base64')],
  ])('round trip: %s', (_name, signature) => {
    const id = newToolCallId(signature);
    expect(id).toMatch(/^call_[A-Za-z0-9]+_ts_[A-Za-z0-9_-]+$/);
    expect(Buffer.from(thoughtSignatureOfToolCallId(id)!, 'base64')).toEqual(
      Buffer.from(signature, 'base64'),
    );
  });

  it.each([['call_abc123'], ['toolu_01ABC'], ['call_x_ts_'], ['anything else']])(
    'no signature in %s',
    (id) => {
      expect(thoughtSignatureOfToolCallId(id)).toBeUndefined();
    },
  );

  it('ids without signature are unique and plain', () => {
    const first = newToolCallId();
    expect(first).toMatch(/^call_[a-f0-9]{24}$/);
    expect(newToolCallId()).not.toBe(first);
  });
});
