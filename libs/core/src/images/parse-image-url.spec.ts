import { GatewayError } from '../gateway-error';
import { normalizeBase64, parseImageUrl, type InlineImageSource } from './parse-image-url';
import { Base64Bytes, decodeBase64, decodedLength } from './base64-bytes';
import { RequestBytes } from '../http/deferred-json-strings';

const PARAM = 'messages[0].content[1].image_url.url';
// "ABC>?~" has bytes that encode to '+' and '/' in standard base64 and to '-' '_' in base64url.
const BYTES = Buffer.from([0x41, 0x42, 0x43, 0xfb, 0xff, 0xbf, 0x3e, 0x3f, 0x7e, 0x01]);
const STANDARD = BYTES.toString('base64'); // 'QUJD+/+/Pj9+AQ=='
const URL_SAFE = BYTES.toString('base64url'); // no padding, '-' and '_'

function inline(value: string): InlineImageSource {
  const parsed = parseImageUrl(value, PARAM);
  expect(parsed.kind).toBe('inline');
  return parsed as InlineImageSource;
}

function rejection(value: string): GatewayError {
  try {
    parseImageUrl(value, PARAM);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a rejection');
}

describe('parseImageUrl: data URI variants', () => {
  it('sanity: the sample uses both + and / and their url-safe forms', () => {
    expect(STANDARD).toMatch(/\+/);
    expect(STANDARD).toMatch(/\//);
    expect(URL_SAFE).toMatch(/[-_]/);
  });

  it.each([
    ['canonical', `data:image/png;base64,${STANDARD}`, 'image/png', true],
    ['upper-case type', `data:IMAGE/PNG;base64,${STANDARD}`, 'image/png', false],
    ['upper-case scheme and BASE64', `DATA:image/png;BASE64,${STANDARD}`, 'image/png', false],
    ['charset parameter', `data:image/png;charset=utf-8;base64,${STANDARD}`, 'image/png', false],
    ['name parameter after base64', `data:image/jpeg;name=a.jpg;base64,${STANDARD}`, 'image/jpeg', false],
    ['missing media type', `data:;base64,${STANDARD}`, undefined, false],
    [
      'spaces around parameters',
      `data: image/png ; base64 ,${STANDARD}`.replace(' ,', ','),
      'image/png',
      false,
    ],
    ['leading whitespace', `  \ndata:image/png;base64,${STANDARD}`, 'image/png', false],
    ['raw base64, no prefix', STANDARD, undefined, false],
    [
      'newlines every 4 chars (MIME style)',
      `data:image/png;base64,${STANDARD.replace(/(.{4})/g, '$1\r\n')}`,
      'image/png',
      false,
    ],
    [
      'spaces and tabs inside',
      `data:image/png;base64,${STANDARD.slice(0, 5)} \t ${STANDARD.slice(5)}`,
      'image/png',
      false,
    ],
    ['base64url alphabet, unpadded', `data:image/png;base64,${URL_SAFE}`, 'image/png', false],
    ['raw base64url', URL_SAFE, undefined, false],
    ['missing padding', `data:image/png;base64,${STANDARD.replace(/=+$/, '')}`, 'image/png', false],
    ['percent-escaped + / =', `data:image/png;base64,${encodeURIComponent(STANDARD)}`, 'image/png', false],
  ])('%s', (_name, value, declared, wellFormed) => {
    const parsed = inline(value);
    expect(parsed.base64).toBe(STANDARD);
    expect(decodeBase64(parsed.base64).equals(BYTES)).toBe(true);
    expect(parsed.decodedBytes).toBe(BYTES.length);
    expect(parsed.declaredMediaType).toBe(declared);
    expect(parsed.wellFormed).toBe(wellFormed);
  });

  it('percent-encoded (non-base64) data URI, e.g. an SVG', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';
    const parsed = inline(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`);
    expect(decodeBase64(parsed.base64).toString()).toBe(svg);
    expect(parsed.declaredMediaType).toBe('image/svg+xml');
    expect(parsed.wellFormed).toBe(false);
  });

  it('keeps the payload as a slice of the input (same characters, no normalisation copy)', () => {
    const value = `data:image/png;base64,${STANDARD}`;
    const parsed = inline(value);
    expect(parsed.base64).toBe(value.slice(value.indexOf(',') + 1));
  });

  it.each([
    ['garbage characters', 'data:image/png;base64,QUJD*RA=='],
    ['unicode', 'data:image/png;base64,QUJDé'],
    ['padding in the middle', 'data:image/png;base64,QQ==QQ=='],
    ['too much padding', 'data:image/png;base64,QUJD===='],
    ['impossible length', 'data:image/png;base64,QUJDR'],
    ['no comma', 'data:image/png;base64'],
    ['empty payload', 'data:image/png;base64,'],
    ['raw text', 'this is not base64!'],
  ])('%s → 400 naming the part', (_name, value) => {
    const error = rejection(value);
    expect(error.status).toBe(400);
    expect(error.param).toBe(PARAM);
    expect(error.code).toBe('invalid_image_data');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/a.png', 'javascript:alert(1)', 'blob:https://x/1'])(
    '%s → 400 (only http(s) and data:)',
    (value) => {
      const error = rejection(value);
      expect(error.code).toBe('invalid_image_url');
      expect(error.param).toBe(PARAM);
    },
  );

  it('empty → 400', () => {
    expect(rejection('   ').code).toBe('invalid_image_data');
  });
});

describe('parseImageUrl: request bytes', () => {
  it('reads the base64 behind a placeholder as bytes, with the header as sent', () => {
    const requestBytes = new RequestBytes();
    const image = requestBytes.add([
      Buffer.from(STANDARD.slice(0, 5), 'latin1'),
      Buffer.from(STANDARD.slice(5), 'latin1'),
    ]);
    const parsed = inline(`data:image/png;base64,${image.placeholder}`);
    expect(parsed.base64).toBeInstanceOf(Base64Bytes);
    expect(decodeBase64(parsed.base64).equals(BYTES)).toBe(true);
    expect(parsed).toMatchObject({
      decodedBytes: BYTES.length,
      declaredMediaType: 'image/png',
      wellFormed: true,
    });
    expect(inline(`data:IMAGE/PNG;base64,${image.placeholder}`).wellFormed).toBe(false);
    requestBytes.release();
  });

  it('a released placeholder → 400 invalid_image_data naming the part', () => {
    const requestBytes = new RequestBytes();
    const image = requestBytes.add([Buffer.from(STANDARD, 'latin1')]);
    requestBytes.release();
    expect(() => parseImageUrl(`data:image/png;base64,${image.placeholder}`, PARAM)).toThrow(
      expect.objectContaining({ status: 400, param: PARAM, code: 'invalid_image_data' }),
    );
  });
});

describe('parseImageUrl: URLs', () => {
  it.each(['https://example.com/a.png', 'HTTP://example.com/a.png?sig=1', ' https://example.com/b.jpg '])(
    '%s is remote',
    (value) => {
      expect(parseImageUrl(value, PARAM)).toEqual({ kind: 'remote', url: value.trim() });
    },
  );

  it('an unparseable http URL → 400', () => {
    expect(rejection('http://exa mple.com:99999/').code).toBe('invalid_image_url');
  });
});

describe('normalizeBase64 / decodedLength', () => {
  it('returns the very same string when already standard', () => {
    const text = Buffer.alloc(3000, 9).toString('base64');
    expect(normalizeBase64(text)).toBe(text);
  });

  it.each([
    ['QQ==', 1],
    ['QUI=', 2],
    ['QUJD', 3],
    [Buffer.alloc(5 * 1024 * 1024).toString('base64'), 5 * 1024 * 1024],
  ])('decodedLength of a %#th sample', (text, length) => {
    expect(decodedLength(text)).toBe(length);
  });

  it('validates a 5 MB payload quickly (single scan, no decode)', () => {
    const text = Buffer.alloc(3.75 * 1024 * 1024, 0xab).toString('base64');
    const started = process.hrtime.bigint();
    for (let run = 0; run < 10; run++) expect(normalizeBase64(text)).toBe(text);
    const perRunMs = Number(process.hrtime.bigint() - started) / 10 / 1e6;
    expect(perRunMs).toBeLessThan(40); // typically ~3 ms; generous for slow CI
  });
});
