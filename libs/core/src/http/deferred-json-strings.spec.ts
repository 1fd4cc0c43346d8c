import { randomBytes } from 'node:crypto';
import type { ChatCompletionContentPartImage } from '../openai-types';
import type { ChatRequest } from '../provider-adapter';
import { attachPreparedImage } from '../images/prepared-image';
import {
  base64BytesOf,
  DEFER_MIN_LENGTH,
  deferImageStrings,
  deferJsonSafeStrings,
  jsonSafeImageStrings,
  pendingDeferredStrings,
  registeredRequestBytes,
  releaseDeferredStrings,
  RequestBytes,
  spliceDeferredStrings,
} from './deferred-json-strings';

const base64 = randomBytes(DEFER_MIN_LENGTH).toString('base64');
const dataUri = `data:image/png;base64,${base64}`;

function imageRequest(prepared: boolean): { request: ChatRequest; part: ChatCompletionContentPartImage } {
  const part: ChatCompletionContentPartImage = { type: 'image_url', image_url: { url: dataUri } };
  if (prepared) attachPreparedImage(part, { source: 'base64', mediaType: 'image/png', data: base64 });
  const request: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'system', content: 'ünïcödé "quoted" \\ text\n' },
      { role: 'user', content: [{ type: 'text', text: 'describe' }, part] },
    ],
  };
  return { request, part };
}

function spliced(body: string): string {
  const result = spliceDeferredStrings(body);
  if (typeof result === 'string') return result;
  return (Array.isArray(result) ? Buffer.concat(result) : result).toString('utf8');
}

describe('deferred JSON strings', () => {
  it('sends exactly the bytes JSON.stringify of the original gives (nested, with non-ASCII and escapes)', () => {
    const { request } = imageRequest(true);
    const params = {
      system: 'ünïcödé "quoted" \\ text\n',
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: base64 } }] }],
      url: dataUri,
    };
    const deferred = deferImageStrings(params, request);
    const body = JSON.stringify(deferred);
    expect(body.length).toBeLessThan(1000);
    const bytes = spliceDeferredStrings(body);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect((bytes as Buffer).equals(Buffer.from(JSON.stringify(params), 'utf8'))).toBe(true);
  });

  it('copies on write: the original is untouched, unchanged branches are shared', () => {
    const { request } = imageRequest(true);
    const untouched = { keep: ['a', 'b'] };
    const params = { other: untouched, image: { data: base64 } };
    const deferred = deferImageStrings(params, request);
    expect(params.image.data).toBe(base64);
    expect(deferred).not.toBe(params);
    expect(deferred.other).toBe(untouched);
    expect(deferred.image.data).not.toBe(base64);
    spliced(JSON.stringify(deferred));
  });

  it.each([
    ['a long string that is not a prepared image', { text: 'x'.repeat(DEFER_MIN_LENGTH) }, [base64]],
    ['a safe string shorter than the threshold', { data: 'iVBORw0KGgo=' }, ['iVBORw0KGgo=']],
  ])('leaves %s alone', (_label, params, safe) => {
    expect(deferJsonSafeStrings(params, new Set(safe))).toBe(params);
  });

  it('keeps non-plain objects (signals, class instances) by reference', () => {
    const { request } = imageRequest(true);
    const signal = new AbortController().signal;
    const deferred = deferImageStrings({ signal, data: base64 }, request);
    expect(deferred.signal).toBe(signal);
    spliced(JSON.stringify({ data: deferred.data }));
  });

  it('uses a token once: a second send of the same body is an error, not a token upstream', () => {
    const { request } = imageRequest(true);
    const body = JSON.stringify(deferImageStrings({ data: base64 }, request));
    expect(spliced(body)).toBe(JSON.stringify({ data: base64 }));
    expect(() => spliceDeferredStrings(body)).toThrow(/already sent or has expired/);
  });

  it('returns a body without tokens as it is', () => {
    expect(spliceDeferredStrings('{"a":1}')).toBe('{"a":1}');
  });

  it('defers only what the image layer prepared as base64 (its data and its data: URI)', () => {
    expect(jsonSafeImageStrings(imageRequest(false).request).size).toBe(0);
    expect([...jsonSafeImageStrings(imageRequest(true).request)]).toEqual([base64, dataUri]);
    const before = pendingDeferredStrings();
    const { request } = imageRequest(false);
    expect(deferImageStrings({ url: dataUri }, request)).toEqual({ url: dataUri });
    expect(pendingDeferredStrings()).toBe(before);
  });

  it("releases the strings of a call that never sent them, and only that request's", () => {
    const before = pendingDeferredStrings();
    const failed = imageRequest(true).request;
    const other = imageRequest(true).request;
    deferImageStrings({ data: base64 }, failed);
    deferImageStrings({ data: base64 }, failed);
    const otherParams = deferImageStrings({ data: base64 }, other);
    expect(pendingDeferredStrings()).toBe(before + 3);
    releaseDeferredStrings(failed);
    expect(pendingDeferredStrings()).toBe(before + 1);
    // The other request's token still splices.
    expect(spliced(JSON.stringify(otherParams))).toBe(JSON.stringify({ data: base64 }));
    expect(pendingDeferredStrings()).toBe(before);
    releaseDeferredStrings(other); // already sent: nothing left, no error
    expect(pendingDeferredStrings()).toBe(before);
  });
});

describe('request bytes (base64 left in the client body)', () => {
  const large = randomBytes(96 * 1024).toString('base64'); // over the as-is threshold
  const asBytes = (text: string): Buffer => Buffer.from(`"${text}"`, 'latin1').subarray(1, -1);
  const joined = (body: string | Buffer | Buffer[]): string =>
    (Array.isArray(body) ? Buffer.concat(body) : Buffer.from(body)).toString('utf8');

  it('writes the bytes where the placeholder stands, as the slice itself (no copy), any number of times', () => {
    const requestBytes = new RequestBytes();
    const source = asBytes(large);
    const image = requestBytes.add([source]);
    const body = JSON.stringify({ text: 'é "q"', url: `data:image/png;base64,${image.placeholder}`, n: 1 });
    const expected = JSON.stringify({ text: 'é "q"', url: `data:image/png;base64,${large}`, n: 1 });
    for (let send = 0; send < 2; send++) {
      const spliced = spliceDeferredStrings(body);
      expect(Array.isArray(spliced)).toBe(true);
      expect((spliced as Buffer[]).includes(source)).toBe(true);
      expect(joined(spliced) === expected).toBe(true);
    }
    requestBytes.release();
  });

  it('copies small slices into the surrounding text (one buffer), and mixes with deferred strings', () => {
    const requestBytes = new RequestBytes();
    const small = requestBytes.add([Buffer.from('iVBORw0KGgo=', 'latin1')]);
    const { request } = imageRequest(true);
    const params = deferImageStrings({ a: base64, b: small.placeholder }, request);
    const spliced = spliceDeferredStrings(JSON.stringify(params));
    expect(Buffer.isBuffer(spliced)).toBe(true);
    expect(joined(spliced)).toBe(JSON.stringify({ a: base64, b: 'iVBORw0KGgo=' }));
    requestBytes.release();
  });

  it('resolves a placeholder to its bytes until released; after that, sending it is an error', () => {
    const requestBytes = new RequestBytes();
    const image = requestBytes.add([asBytes(large)]);
    const before = registeredRequestBytes();
    expect(base64BytesOf(image.placeholder)).toBe(image);
    expect(base64BytesOf('not a placeholder')).toBeUndefined();
    requestBytes.release();
    expect(registeredRequestBytes()).toBe(before - 1);
    expect(base64BytesOf(image.placeholder)).toBeUndefined();
    expect(() => spliceDeferredStrings(JSON.stringify({ data: image.placeholder }))).toThrow(
      'already sent or has expired',
    );
  });

  it('never defers Base64Bytes image data as a string (it already stands as its placeholder)', () => {
    const requestBytes = new RequestBytes();
    const image = requestBytes.add([asBytes(large)]);
    const part: ChatCompletionContentPartImage = {
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${image.placeholder}` },
    };
    attachPreparedImage(part, { source: 'base64', mediaType: 'image/png', data: image });
    const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [part] }] };
    expect(jsonSafeImageStrings(request).size).toBe(0);
    requestBytes.release();
  });
});
